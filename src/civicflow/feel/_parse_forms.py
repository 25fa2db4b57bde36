"""FEEL parser, continued: textual forms (``if``, ``for``, ``some``/``every``, ``function``), the type
syntax of ``instance of`` and typed parameters, and the unary-tests entry point."""

from __future__ import annotations

from typing import TYPE_CHECKING

from civicflow.feel import ast
from civicflow.feel.lexer import TokenKind

if TYPE_CHECKING:
    from civicflow.feel.parser import Parser

__all__ = ["parse_tests", "parse_textual", "parse_type"]


def parse_textual(p: Parser, word: str) -> ast.Expr:
    """``if``, ``for``, ``some``/``every`` or ``function``, starting at that keyword."""
    start = p.advance().start
    if word == "if":
        condition = p.expression()
        p.expect_word("then")
        then = p.expression()
        p.expect_word("else")
        otherwise = p.expression()
        return ast.IfExpr(span=p.span_from(start), condition=condition, then=then, otherwise=otherwise)
    if word == "function":
        return _function_definition(p, start)
    p.names.push()
    try:
        iterations = [_iteration(p)]
        while p.at_op(","):
            p.advance()
            iterations.append(_iteration(p))
        if word == "for":
            p.names.add("partial")
            p.expect_word("return")
            body = p.expression()
            return ast.ForExpr(span=p.span_from(start), iterations=tuple(iterations), body=body)
        p.expect_word("satisfies")
        condition = p.expression()
    finally:
        p.names.pop()
    return ast.Quantified(
        span=p.span_from(start), every=word == "every", iterations=tuple(iterations), condition=condition
    )


def _iteration(p: Parser) -> ast.Iteration:
    start = p.peek().start
    name = p.name(p.names.match(p.tokens, p.pos))
    p.expect_word("in")
    domain = p.expression()
    end = None
    if p.at_op(".."):
        p.advance()
        end = p.expression()
    p.names.add(name)
    return ast.Iteration(span=p.span_from(start), name=name, domain=domain, end=end)


def _function_definition(p: Parser, start: int) -> ast.FunctionDef:
    p.expect_op("(")
    parameters: list[ast.Parameter] = []
    while not p.at_op(")"):
        if parameters:
            p.expect_op(",")
        param_start = p.peek().start
        name = p.name(p.names.match(p.tokens, p.pos))
        type_node = None
        if p.at_op(":"):
            p.advance()
            type_node = parse_type(p)
        parameters.append(ast.Parameter(span=p.span_from(param_start), name=name, type=type_node))
    p.advance()
    external = p.at_word("external")
    if external:
        p.advance()
    p.names.push(p.name for p in parameters)
    try:
        body = p.expression()
    finally:
        p.names.pop()
    return ast.FunctionDef(span=p.span_from(start), parameters=tuple(parameters), body=body, external=external)


def parse_type(p: Parser) -> ast.TypeNode:
    """A type: a (qualified) name, ``list<T>``, ``range<T>``, ``context<k: T>``, ``function<T>->T``."""
    p.enter()
    p.depth += 1
    try:
        return _type_node(p)
    finally:
        p.depth -= 1


def _type_node(p: Parser) -> ast.TypeNode:
    token = p.peek()
    start = token.start
    if token.kind is not TokenKind.NAME:
        raise p.error("expected a type")
    if p.at_op("<", 1) and token.text in ("list", "range", "context", "function"):
        p.advance()
        p.advance()
        if token.text == "list":
            element = parse_type(p)
            p.expect_op(">")
            return ast.ListTypeNode(span=p.span_from(start), element=element)
        if token.text == "range":
            element = parse_type(p)
            p.expect_op(">")
            return ast.RangeTypeNode(span=p.span_from(start), element=element)
        if token.text == "context":
            fields: list[tuple[str, ast.TypeNode]] = []
            while not p.at_op(">"):
                if fields:
                    p.expect_op(",")
                key = p.context_key()
                p.expect_op(":")
                fields.append((key, parse_type(p)))
            p.advance()
            return ast.ContextTypeNode(span=p.span_from(start), fields=tuple(fields))
        params: list[ast.TypeNode] = []
        while not p.at_op(">"):
            if params:
                p.expect_op(",")
            params.append(parse_type(p))
        p.advance()
        p.expect_op("->")
        result = parse_type(p)
        return ast.FunctionTypeNode(span=p.span_from(start), parameters=tuple(params), result=result)
    known = p.types.match(p.tokens, p.pos)
    if known is not None:
        p.pos += known[1]
        name = known[0]
    else:
        name = p.name()
    while p.at_op(".") and p.peek(1).kind is TokenKind.NAME:
        p.advance()
        name += "." + p.name()
    return ast.NamedType(span=p.span_from(start), name=name)


def parse_tests(p: Parser) -> ast.AnyTest | ast.UnaryTests:
    """A whole unary-tests text: empty or ``-``, ``not(tests)``, or comma-separated tests."""
    first = p.peek()
    if first.kind is TokenKind.EOF or (
        first.kind is TokenKind.OP and first.text == "-" and p.peek(1).kind is TokenKind.EOF
    ):
        return ast.AnyTest(span=(first.start, first.end))
    if p.at_word("not") and p.at_op("(", 1) and _closes_at_end(p, p.pos + 1):
        p.advance()
        p.advance()
        tests = _positive_tests(p)
        p.expect_op(")")
        p.expect_end()
        return ast.UnaryTests(span=p.span_from(first.start), tests=tests, negated=True)
    tests = _positive_tests(p)
    p.expect_end()
    return ast.UnaryTests(span=p.span_from(first.start), tests=tests)


def _positive_tests(p: Parser) -> tuple[ast.Expr, ...]:
    tests = [p.expression()]
    while p.at_op(","):
        p.advance()
        tests.append(p.expression())
    return tuple(tests)


def _closes_at_end(p: Parser, open_index: int) -> bool:
    """Whether the parenthesis at ``open_index`` is closed by the last token."""
    depth = 0
    for i in range(open_index, len(p.tokens)):
        token = p.tokens[i]
        if token.kind is TokenKind.OP and token.text in "([{":
            depth += 1
        elif token.kind is TokenKind.OP and token.text in ")]}":
            depth -= 1
            if depth == 0:
                return p.tokens[i + 1].kind is TokenKind.EOF
    return False
