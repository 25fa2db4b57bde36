"""The staff workbench: inbox, task and case pages, incidents and deployments (docs/workbench.md).

Departments are Django groups: the groups a user belongs to are the candidate groups they work
for. Pages need a signed-in staff account (``is_staff``).
"""
