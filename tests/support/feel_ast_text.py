"""Render FEEL AST nodes as compact S-expressions, so parser tests read like the grammar."""

from __future__ import annotations

from civicflow.feel import ast


def sexpr(node: object) -> str:
    match node:
        case ast.NumberLit(value=value):
            return str(value)
        case ast.StringLit(value=value):
            return repr(value)
        case ast.BooleanLit(value=value):
            return "true" if value else "false"
        case ast.NullLit():
            return "null"
        case ast.TemporalLit(text=text):
            return f"@{text}"
        case ast.NameRef(name=name):
            return name
        case ast.Arithmetic(op=op, left=left, right=right) | ast.Comparison(op=op, left=left, right=right):
            return f"({op} {sexpr(left)} {sexpr(right)})"
        case ast.Conjunction(left=left, right=right):
            return f"(and {sexpr(left)} {sexpr(right)})"
        case ast.Disjunction(left=left, right=right):
            return f"(or {sexpr(left)} {sexpr(right)})"
        case ast.Negation(operand=operand):
            return f"(neg {sexpr(operand)})"
        case ast.Between(value=value, low=low, high=high):
            return f"(between {sexpr(value)} {sexpr(low)} {sexpr(high)})"
        case ast.InTest(value=value, tests=tests):
            return f"(in {sexpr(value)} {' '.join(sexpr(t) for t in tests)})"
        case ast.InstanceOf(value=value, type=type_node):
            return f"(instance {sexpr(value)} {sexpr(type_node)})"
        case ast.PathExpr(base=base, name=name):
            return f"(. {sexpr(base)} {name})"
        case ast.FilterExpr(base=base, condition=condition):
            return f"(filter {sexpr(base)} {sexpr(condition)})"
        case ast.Invocation(function=function, args=args, named=None):
            return f"(call {sexpr(function)}{''.join(' ' + sexpr(a) for a in args)})"
        case ast.Invocation(function=function, named=named):
            assert named is not None
            return f"(call {sexpr(function)}{''.join(f' {k}={sexpr(v)}' for k, v in named)})"
        case ast.IfExpr(condition=c, then=t, otherwise=o):
            return f"(if {sexpr(c)} {sexpr(t)} {sexpr(o)})"
        case ast.ForExpr(iterations=its, body=body):
            return f"(for {' '.join(sexpr(i) for i in its)} {sexpr(body)})"
        case ast.Quantified(every=every, iterations=its, condition=c):
            return f"({'every' if every else 'some'} {' '.join(sexpr(i) for i in its)} {sexpr(c)})"
        case ast.Iteration(name=name, domain=domain, end=None):
            return f"[{name} {sexpr(domain)}]"
        case ast.Iteration(name=name, domain=domain, end=end):
            return f"[{name} {sexpr(domain)}..{sexpr(end)}]"
        case ast.FunctionDef(parameters=params, body=body, external=external):
            names = " ".join(p.name + (f":{sexpr(p.type)}" if p.type else "") for p in params)
            return f"({'external ' if external else ''}function ({names}) {sexpr(body)})"
        case ast.ListLit(items=items):
            return "[" + " ".join(sexpr(i) for i in items) + "]"
        case ast.ContextLit(entries=entries):
            return "{" + ", ".join(f"{e.key}: {sexpr(e.value)}" for e in entries) + "}"
        case ast.RangeLit(start=start, end=end, start_included=si, end_included=ei):
            return f"{'[' if si else '('}{sexpr(start)}..{sexpr(end)}{']' if ei else ')'}"
        case ast.UnaryComparison(op=op, operand=operand):
            return f"({op} {sexpr(operand)})"
        case ast.NamedType(name=name):
            return name
        case ast.ListTypeNode(element=element):
            return f"list<{sexpr(element)}>"
        case ast.RangeTypeNode(element=element):
            return f"range<{sexpr(element)}>"
        case ast.ContextTypeNode(fields=fields):
            return "context<" + ", ".join(f"{k}: {sexpr(t)}" for k, t in fields) + ">"
        case ast.FunctionTypeNode(parameters=params, result=result):
            return "function<" + ", ".join(sexpr(p) for p in params) + f">->{sexpr(result)}"
        case ast.AnyTest():
            return "-"
        case ast.UnaryTests(tests=tests, negated=negated):
            inner = ", ".join(sexpr(t) for t in tests)
            return f"not({inner})" if negated else inner
    raise AssertionError(f"no rendering for {node!r}")
