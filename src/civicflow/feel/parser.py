"""FEEL parser: tokens -> AST by recursive descent with precedence climbing (DMN 1.5 §10.3.1).

Precedence, loosest first: textual forms (``if``, ``for``, ``some``/``every``, ``function``),
``or``, ``and``, comparison (``= != < <= > >=``, ``between``, ``in``, ``instance of``), ``+ -``,
``* /``, ``**`` (left associative), unary ``-`` (so ``-3 ** 2`` is 9, as the TCK expects), then
postfix path ``.``, filter ``[...]`` and invocation ``(...)``.

Nesting depth is checked while descending, so hostile input raises ``FeelLimitExceeded`` long
before Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from civicflow.feel import ast
from civicflow.feel._parse_forms import parse_tests, parse_textual, parse_type
from civicflow.feel.errors import FeelLimitExceeded, FeelSyntaxError
from civicflow.feel.evaluation import DEFAULT_LIMITS, FeelLimits
from civicflow.feel.lexer import Token, TokenKind, syntax_error, tokenize
from civicflow.feel.names import BUILTIN_TYPE_NAMES, KEYWORDS, NameTable, normalize_name

__all__ = ["parse_expression", "parse_unary_tests"]

_COMPARISON_OPS = frozenset({"=", "!=", "<", "<=", ">", ">="})
_PREC_OR, _PREC_AND, _PREC_CMP, _PREC_ADD, _PREC_MUL, _PREC_POW = 1, 2, 3, 4, 5, 6
_OP_PREC = {"+": _PREC_ADD, "-": _PREC_ADD, "*": _PREC_MUL, "/": _PREC_MUL, "**": _PREC_POW}
_WORD_PREC = {"or": _PREC_OR, "and": _PREC_AND, "between": _PREC_CMP, "in": _PREC_CMP, "instance": _PREC_CMP}
_TEXTUAL = frozenset({"if", "for", "some", "every", "function"})


def parse_expression(
    text: str, *, names: Iterable[str] = (), limits: FeelLimits = DEFAULT_LIMITS, type_names: Iterable[str] = ()
) -> ast.Expr:
    """Parse a FEEL expression; ``names`` are the (possibly multi-word) names in scope."""
    parser = Parser(text, names, limits, type_names)
    node = parser.expression()
    parser.expect_end()
    return node


def parse_unary_tests(
    text: str, *, names: Iterable[str] = (), limits: FeelLimits = DEFAULT_LIMITS, type_names: Iterable[str] = ()
) -> ast.AnyTest | ast.UnaryTests:
    """Parse FEEL unary tests (a decision table input entry): ``-``, ``not(...)`` or a test list."""
    parser = Parser(text, names, limits, type_names)
    return parse_tests(parser)


class Parser:
    """Recursive descent over one text; the grammar continues in :mod:`civicflow.feel._parse_forms`."""

    __slots__ = ("depth", "keys", "limits", "names", "no_filter", "pos", "text", "tokens", "types")

    def __init__(self, text: str, names: Iterable[str], limits: FeelLimits, type_names: Iterable[str]) -> None:
        if len(text) > limits.max_expression_length:
            raise FeelLimitExceeded(
                f"expression of {len(text)} characters exceeds the limit of {limits.max_expression_length}",
                limit="max_expression_length",
            )
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0
        self.no_filter = False
        self.limits = limits
        self.names = NameTable((*names, *_builtin_names()))
        self.types = NameTable((*BUILTIN_TYPE_NAMES, *type_names))
        # Every context key seen so far, never popped: ``{Sub-Total: 1}.Sub-Total`` selects that key.
        self.keys = NameTable()

    # Token helpers

    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind is not TokenKind.EOF:
            self.pos += 1
        return token

    def at_op(self, op: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token.kind is TokenKind.OP and token.text == op

    def at_word(self, word: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token.kind is TokenKind.NAME and token.text == word

    def expect_op(self, op: str) -> Token:
        if not self.at_op(op):
            raise self.error(f"expected {op!r}")
        return self.advance()

    def expect_word(self, word: str) -> Token:
        if not self.at_word(word):
            raise self.error(f"expected {word!r}")
        return self.advance()

    def expect_end(self) -> None:
        if self.peek().kind is not TokenKind.EOF:
            raise self.error("unexpected text after the expression")

    def error(self, message: str, token: Token | None = None) -> FeelSyntaxError:
        token = token or self.peek()
        found = "end of text" if token.kind is TokenKind.EOF else repr(self.text[token.start : token.end])
        return syntax_error(self.text, token.start, f"{message}, found {found}")

    def span_from(self, start: int) -> ast.Span:
        return (start, self.tokens[self.pos - 1].end if self.pos else start)

    def enter(self, extra: int = 0) -> None:
        if self.depth + extra >= self.limits.max_nesting_depth:
            raise FeelLimitExceeded(
                f"expression nesting exceeds the limit of {self.limits.max_nesting_depth}",
                limit="max_nesting_depth",
            )

    # Expressions

    def expression(self) -> ast.Expr:
        self.enter()
        self.depth += 1
        try:
            return self.binary(_PREC_OR)
        finally:
            self.depth -= 1

    def binary(self, min_prec: int) -> ast.Expr:
        start = self.peek().start
        left = self.unary()
        chain = 0
        while True:
            token = self.peek()
            if token.kind is TokenKind.OP:
                prec = _PREC_CMP if token.text in _COMPARISON_OPS else _OP_PREC.get(token.text, 0)
            elif token.kind is TokenKind.NAME:
                prec = _WORD_PREC.get(token.text, 0)
                if token.text == "instance" and not self.at_word("of", 1):
                    prec = 0
            else:
                prec = 0
            if prec == 0 or prec < min_prec:
                return left
            chain += 1
            self.enter(chain)  # a left-deep chain is as deep as it is long
            self.advance()
            op = token.text
            if op == "between":
                low = self.binary(_PREC_ADD)
                self.expect_word("and")
                high = self.binary(_PREC_ADD)
                left = ast.Between(span=self.span_from(start), value=left, low=low, high=high)
            elif op == "in":
                left = ast.InTest(span=self.span_from(start), value=left, tests=self.in_tests())
            elif op == "instance":
                self.expect_word("of")
                left = ast.InstanceOf(span=self.span_from(start), value=left, type=parse_type(self))
            elif op == "or":
                right = self.binary(prec + 1)
                left = ast.Disjunction(span=self.span_from(start), left=left, right=right)
            elif op == "and":
                right = self.binary(prec + 1)
                left = ast.Conjunction(span=self.span_from(start), left=left, right=right)
            elif prec == _PREC_CMP:
                right = self.binary(prec + 1)
                left = ast.Comparison(span=self.span_from(start), op=op, left=left, right=right)
            else:
                right = self.binary(prec + 1)
                left = ast.Arithmetic(span=self.span_from(start), op=op, left=left, right=right)

    def unary(self) -> ast.Expr:
        if not self.at_op("-"):
            return self.postfix()
        start = self.advance().start
        self.enter()
        self.depth += 1
        try:
            operand = self.unary()
        finally:
            self.depth -= 1
        span = self.span_from(start)
        if isinstance(operand, ast.NumberLit):
            return ast.NumberLit(span=span, value=-operand.value)
        return ast.Negation(span=span, operand=operand)

    def postfix(self) -> ast.Expr:
        start = self.peek().start
        node = self.primary()
        while True:
            if self.at_op("."):
                self.advance()
                name = self.member_name()
                node = ast.PathExpr(span=self.span_from(start), base=node, name=name)
            elif self.at_op("[") and not self.no_filter:
                self.advance()
                condition = self.expression()
                self.expect_op("]")
                node = ast.FilterExpr(span=self.span_from(start), base=node, condition=condition)
            elif self.at_op("("):
                args, named = self.arguments()
                node = ast.Invocation(span=self.span_from(start), function=node, args=args, named=named)
            else:
                return node

    def primary(self) -> ast.Expr:
        token = self.peek()
        start = token.start
        kind = token.kind
        if kind is TokenKind.NUMBER:
            self.advance()
            return ast.NumberLit(span=(start, token.end), value=Decimal(token.text))
        if kind is TokenKind.STRING:
            self.advance()
            return ast.StringLit(span=(start, token.end), value=token.text)
        if kind is TokenKind.AT:
            self.advance()
            return ast.TemporalLit(span=(start, token.end), text=token.text)
        if kind is TokenKind.NAME:
            return self.name_or_keyword()
        if kind is TokenKind.OP:
            op = token.text
            if op == "(":
                return self.parenthesized()
            if op == "[":
                return self.bracketed()
            if op == "]":
                self.advance()
                return self.range_rest(start, start_included=False)
            if op == "{":
                return self.context()
            if op in _COMPARISON_OPS:
                self.advance()
                operand = self.binary(_PREC_ADD)
                return ast.UnaryComparison(span=self.span_from(start), op=op, operand=operand)
        raise self.error("expected an expression")

    def name_or_keyword(self) -> ast.Expr:
        token = self.peek()
        start = token.start
        word = token.text
        known = self.names.match(self.tokens, self.pos)
        if known is None and word in KEYWORDS:
            if word in _TEXTUAL:
                return parse_textual(self, word)
            if word in ("true", "false"):
                self.advance()
                return ast.BooleanLit(span=(start, token.end), value=word == "true")
            if word == "null":
                self.advance()
                return ast.NullLit(span=(start, token.end))
            raise self.error("expected an expression")
        if word == "function" and self.at_op("(", 1) and (known is None or known[1] == 1):
            return parse_textual(self, word)
        name = self.name(known)
        return ast.NameRef(span=self.span_from(start), name=name)

    def name(self, known: tuple[str, int] | None = None) -> str:
        """Consume a name: the longest known one, else adjacent words joined (``a b`` is no other syntax)."""
        first = self.peek()
        if known is not None:
            self.pos += known[1]
            if not self._joinable(self.peek()):
                return known[0]
        elif first.kind is not TokenKind.NAME or first.text in KEYWORDS:
            raise self.error("expected a name")
        else:
            self.advance()
        while self._joinable(self.peek()):
            self.advance()
        return normalize_name(self.text[first.start : self.tokens[self.pos - 1].end])

    @staticmethod
    def _joinable(token: Token) -> bool:
        if token.kind is TokenKind.NAME:
            return token.text not in KEYWORDS
        return token.kind is TokenKind.NUMBER or (token.kind is TokenKind.OP and token.text == "'")

    def member_name(self) -> str:
        token = self.peek()
        if token.kind is TokenKind.STRING:
            self.advance()
            return token.text
        known = self.names.match(self.tokens, self.pos) or self.keys.match(self.tokens, self.pos)
        if known is not None:
            return self.name(known)
        if token.kind is not TokenKind.NAME:
            raise self.error("expected a name after '.'")
        self.advance()
        while self._joinable(self.peek()):
            self.advance()
        return normalize_name(self.text[token.start : self.tokens[self.pos - 1].end])

    def parenthesized(self) -> ast.Expr:
        start = self.advance().start
        inner = self.expression()
        if self.at_op(".."):
            return self.range_end(start, inner, start_included=False)
        self.expect_op(")")
        return inner

    def bracketed(self) -> ast.Expr:
        start = self.advance().start
        if self.at_op("]"):
            self.advance()
            return ast.ListLit(span=self.span_from(start), items=())
        first = self.expression()
        if self.at_op(".."):
            return self.range_end(start, first, start_included=True)
        items = [first]
        while self.at_op(","):
            self.advance()
            items.append(self.expression())
        self.expect_op("]")
        return ast.ListLit(span=self.span_from(start), items=tuple(items))

    def range_rest(self, start: int, *, start_included: bool) -> ast.RangeLit:
        low = self.expression()
        if not self.at_op(".."):
            raise self.error("expected '..' in a range")
        return self.range_end(start, low, start_included=start_included)

    def range_end(self, start: int, low: ast.Expr, *, start_included: bool) -> ast.RangeLit:
        self.expect_op("..")
        high = self.range_endpoint()
        closing = self.peek()
        if closing.kind is not TokenKind.OP or closing.text not in ("]", ")", "["):
            raise self.error("expected ']', ')' or '[' to close the range")
        self.advance()
        return ast.RangeLit(
            span=self.span_from(start),
            start=low,
            end=high,
            start_included=start_included,
            end_included=closing.text == "]",
        )

    def range_endpoint(self) -> ast.Expr:
        """The end of a range; in ``[1..10[`` the ``[`` closes the range instead of starting a filter."""
        saved = self.pos
        try:
            high = self.expression()
            if self.peek().kind is TokenKind.OP and self.peek().text in ("]", ")", "["):
                return high
        except FeelSyntaxError:
            pass
        self.pos = saved
        self.no_filter = True
        try:
            return self.expression()
        finally:
            self.no_filter = False

    def context(self) -> ast.ContextLit:
        start = self.advance().start
        entries: list[ast.ContextEntry] = []
        self.names.push()
        try:
            while not self.at_op("}"):
                if entries:
                    self.expect_op(",")
                entry_start = self.peek().start
                key = self.context_key()
                self.expect_op(":")
                # Added before the value so that a function entry can call itself recursively.
                self.names.add(key)
                self.keys.add(key)
                value = self.expression()
                entries.append(ast.ContextEntry(span=self.span_from(entry_start), key=key, value=value))
        finally:
            self.names.pop()
        self.advance()
        return ast.ContextLit(span=self.span_from(start), entries=tuple(entries))

    def context_key(self) -> str:
        token = self.peek()
        if token.kind is TokenKind.STRING:
            self.advance()
            return token.text
        first = token
        while not self.at_op(":"):
            token = self.peek()
            if token.kind in (TokenKind.EOF, TokenKind.STRING) or (token.kind is TokenKind.OP and token.text in ",{}"):
                raise self.error("expected a context entry key followed by ':'")
            self.advance()
        if self.tokens[self.pos - 1] is first and first.start == self.peek().start:
            raise self.error("expected a context entry key")
        return normalize_name(self.text[first.start : self.tokens[self.pos - 1].end])

    def arguments(self) -> tuple[tuple[ast.Expr, ...], tuple[tuple[str, ast.Expr], ...] | None]:
        self.expect_op("(")
        if self.at_op(")"):
            self.advance()
            return (), None
        if self._named_argument_ahead():
            named: list[tuple[str, ast.Expr]] = []
            while True:
                name = self.name()
                self.expect_op(":")
                named.append((name, self.expression()))
                if not self.at_op(","):
                    break
                self.advance()
            self.expect_op(")")
            return (), tuple(named)
        args = [self.expression()]
        while self.at_op(","):
            self.advance()
            args.append(self.expression())
        self.expect_op(")")
        return tuple(args), None

    def _named_argument_ahead(self) -> bool:
        i = self.pos
        while True:
            token = self.tokens[i]
            if token.kind is TokenKind.OP and token.text == ":":
                return i > self.pos
            if not (token.kind is TokenKind.NAME or (token.kind is TokenKind.OP and token.text == "'")):
                return False
            i += 1

    def in_tests(self) -> tuple[ast.Expr, ...]:
        """Right side of ``in``: one positive unary test, or several in parentheses."""
        if not self.at_op("("):
            return (self.binary(_PREC_ADD),)
        start = self.advance().start
        first = self.expression()
        if self.at_op(".."):
            return (self.range_end(start, first, start_included=False),)
        tests = [first]
        while self.at_op(","):
            self.advance()
            tests.append(self.expression())
        self.expect_op(")")
        return tuple(tests)


def _builtin_names() -> tuple[str, ...]:
    from civicflow.feel.compiler.calls import builtin_names

    return builtin_names()
