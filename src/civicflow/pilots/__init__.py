"""Pilots: a candidate process version on a share of new cases, compared with the current one.

    >>> from civicflow.pilots import service
    >>> pilot = service.start("building_permit", candidate=2, share="0.3", actor="user:1")
    >>> service.compare(pilot)          # both versions' KPIs and the significance of each difference
    >>> service.adopt(pilot.pk, actor="user:1")   # or service.stop(...)

See docs/pilots.md. The app registers :func:`civicflow.pilots.routing.route` with the runtime,
which asks it for the version of every instance started without one.
"""
