using System.Globalization;
using System.Text;

namespace Status499.Demo.FeatureService;

/// <summary>
/// The subset of ArcGIS "standardized queries" SQL that GIS clients send in <c>where</c>: <c>1=1</c>, comparisons
/// (<c>= &lt;&gt; != &lt; &lt;= &gt; &gt;=</c>), <c>[NOT] LIKE</c> with <c>%</c> and <c>_</c>, <c>[NOT] IN (…)</c>,
/// <c>[NOT] BETWEEN … AND …</c>, <c>IS [NOT] NULL</c>, <c>AND</c>/<c>OR</c>/<c>NOT</c>, parentheses and
/// <c>UPPER()</c>/<c>LOWER()</c>. Field names are matched in any case; strings are single-quoted (<c>''</c> escapes).
/// </summary>
/// <remarks>
/// Reference: https://doc.arcgis.com/en/arcgis-online/reference/sql-agol.htm (standardized SQL functions).
/// A clause outside this subset is refused as a malformed <c>where</c>, which is what ArcGIS does with SQL it cannot run.
/// <para>
/// Hand-written because no maintained .NET library parses this SQL-92 dialect. Checked: Microsoft's T-SQL parser
/// (Microsoft.SqlServer.TransactSql.ScriptDom, <c>ParseBooleanExpression</c>, 16 MB) refuses SQL-92 forms ArcGIS
/// documents (<c>DATE '…'</c>, <c>EXTRACT(… FROM …)</c>, <c>SUBSTRING(… FROM … FOR …)</c>) and accepts T-SQL's
/// (<c>[NAME]</c>, <c>@variables</c>, subqueries); System.Linq.Dynamic.Core, NCalc and <c>DataTable.Select</c> evaluate
/// other expression languages (none has <c>BETWEEN</c>); OData's <c>$filter</c> is another syntax; parser combinators
/// (Superpower, Pidgin, Parlot) would still need this grammar written out. Koop's winnow runs <c>where</c> through
/// alasql and flora-sql-parser, in JavaScript.
/// </para>
/// </remarks>
internal sealed class WhereClause
{
    private readonly Node _root;

    private WhereClause(Node root) => _root = root;

    /// <summary>Parses <paramref name="text"/>; an empty clause matches everything.</summary>
    public static bool TryParse(string? text, out WhereClause clause, out string problem)
    {
        clause = new WhereClause(new Constant(true));
        problem = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        try
        {
            var parser = new Parser(Tokenize(text));
            var root = parser.ParseExpression();
            parser.ExpectEnd();
            clause = new WhereClause(root);
            return true;
        }
        catch (FormatException e)
        {
            problem = e.Message;
            return false;
        }
    }

    public bool Matches(DemoPlace place) => Truth(_root.Evaluate(place));

    private static bool Truth(object? value) => value is true;

    // Tokens: numbers, 'strings', identifiers/keywords, operators and punctuation.
    private enum Kind { Number, String, Word, Symbol, End }

    private readonly record struct Token(Kind Kind, string Text);

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '\'')
            {
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new FormatException("unterminated string literal");
                    }

                    if (text[i] == '\'')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '\'')
                        {
                            value.Append('\'');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    value.Append(text[i++]);
                }

                tokens.Add(new Token(Kind.String, value.ToString()));
            }
            else if (char.IsDigit(c) || (c == '.' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
            {
                var start = i;
                while (i < text.Length && (char.IsDigit(text[i]) || text[i] == '.'))
                {
                    i++;
                }

                tokens.Add(new Token(Kind.Number, text[start..i]));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(Kind.Word, text[start..i]));
            }
            else if (c is '<' or '>' or '!' or '=')
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : null;
                if (two is "<=" or ">=" or "<>" or "!=")
                {
                    tokens.Add(new Token(Kind.Symbol, two));
                    i += 2;
                }
                else if (c == '!')
                {
                    throw new FormatException("unexpected '!'");
                }
                else
                {
                    tokens.Add(new Token(Kind.Symbol, c.ToString()));
                    i++;
                }
            }
            else if (c is '(' or ')' or ',' or '-')
            {
                tokens.Add(new Token(Kind.Symbol, c.ToString()));
                i++;
            }
            else
            {
                throw new FormatException($"unexpected character '{c}'");
            }
        }

        tokens.Add(new Token(Kind.End, ""));
        return tokens;
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int _position;

        private Token Current => tokens[_position];

        public Node ParseExpression()
        {
            var left = ParseAnd();
            while (AcceptWord("OR"))
            {
                left = new Logical(left, ParseAnd(), isAnd: false);
            }

            return left;
        }

        public void ExpectEnd()
        {
            if (Current.Kind != Kind.End)
            {
                throw new FormatException($"unexpected '{Current.Text}'");
            }
        }

        private Node ParseAnd()
        {
            var left = ParseNot();
            while (AcceptWord("AND"))
            {
                left = new Logical(left, ParseNot(), isAnd: true);
            }

            return left;
        }

        private Node ParseNot() => AcceptWord("NOT") ? new Not(ParseNot()) : ParsePredicate();

        private Node ParsePredicate()
        {
            // A parenthesis opens a nested condition unless what follows it is a value, as in (OBJECTID) = 1.
            if (IsSymbol("(") && !LooksLikeParenthesisedValue())
            {
                _position++;
                var inner = ParseExpression();
                ExpectSymbol(")");
                return inner;
            }

            var left = ParseValue();
            var negated = AcceptWord("NOT");
            if (AcceptWord("LIKE"))
            {
                var pattern = ParseValue();
                return Negate(new Like(left, pattern), negated);
            }

            if (AcceptWord("IN"))
            {
                ExpectSymbol("(");
                var items = new List<Node> { ParseValue() };
                while (AcceptSymbol(","))
                {
                    items.Add(ParseValue());
                }

                ExpectSymbol(")");
                return Negate(new In(left, items), negated);
            }

            if (AcceptWord("BETWEEN"))
            {
                var low = ParseValue();
                ExpectWord("AND");
                var high = ParseValue();
                return Negate(new Logical(new Comparison(left, ">=", low), new Comparison(left, "<=", high), isAnd: true), negated);
            }

            if (negated)
            {
                throw new FormatException("NOT must be followed by LIKE, IN or BETWEEN here");
            }

            if (AcceptWord("IS"))
            {
                var not = AcceptWord("NOT");
                ExpectWord("NULL");
                return Negate(new IsNull(left), not);
            }

            if (Current.Kind == Kind.Symbol && Current.Text is "=" or "<>" or "!=" or "<" or "<=" or ">" or ">=")
            {
                var op = Current.Text;
                _position++;
                return new Comparison(left, op, ParseValue());
            }

            throw new FormatException($"expected a comparison after '{Describe(left)}'");
        }

        private Node ParseValue()
        {
            var token = Current;
            switch (token.Kind)
            {
                case Kind.Number:
                    _position++;
                    return new Constant(ParseNumber(token.Text));
                case Kind.String:
                    _position++;
                    return new Constant(token.Text);
                case Kind.Symbol when token.Text == "-" && tokens[_position + 1].Kind == Kind.Number:
                    _position += 2;
                    return new Constant(-ParseNumber(tokens[_position - 1].Text));
                case Kind.Symbol when token.Text == "(":
                    _position++;
                    var inner = ParseValue();
                    ExpectSymbol(")");
                    return inner;
                case Kind.Word when IsSymbolAt(_position + 1, "("):
                    var function = token.Text.ToUpperInvariant();
                    if (function is not ("UPPER" or "LOWER"))
                    {
                        throw new FormatException($"unsupported function {token.Text}");
                    }

                    _position += 2;
                    var argument = ParseValue();
                    ExpectSymbol(")");
                    return new Case(argument, upper: function == "UPPER");
                case Kind.Word:
                    var field = DemoPlaces.FindField(token.Text) ?? throw new FormatException($"unknown field {token.Text}");
                    _position++;
                    return new FieldRef(field.Name);
                default:
                    throw new FormatException(token.Kind == Kind.End ? "unexpected end of clause" : $"unexpected '{token.Text}'");
            }
        }

        private static double ParseNumber(string text) =>
            double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new FormatException($"invalid number {text}");

        private static Node Negate(Node node, bool negated) => negated ? new Not(node) : node;

        private static string Describe(Node node) => node is FieldRef f ? f.Name : "value";

        private bool LooksLikeParenthesisedValue()
        {
            // "(" value ")" followed by a comparison operator or LIKE/IN/BETWEEN/IS.
            var next = _position + 1;
            if (tokens[next].Kind is not (Kind.Word or Kind.Number or Kind.String) || !IsSymbolAt(next + 1, ")"))
            {
                return false;
            }

            var after = tokens[next + 2];
            return after.Kind == Kind.Symbol ? after.Text is not (")" or ",") : after.Kind == Kind.Word && after.Text.ToUpperInvariant() is "LIKE" or "IN" or "BETWEEN" or "IS" or "NOT";
        }

        private bool IsSymbol(string symbol) => IsSymbolAt(_position, symbol);

        private bool IsSymbolAt(int index, string symbol) => tokens[index].Kind == Kind.Symbol && tokens[index].Text == symbol;

        private bool AcceptSymbol(string symbol)
        {
            if (!IsSymbol(symbol))
            {
                return false;
            }

            _position++;
            return true;
        }

        private void ExpectSymbol(string symbol)
        {
            if (!AcceptSymbol(symbol))
            {
                throw new FormatException($"expected '{symbol}'");
            }
        }

        private bool AcceptWord(string word)
        {
            if (Current.Kind != Kind.Word || !string.Equals(Current.Text, word, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            _position++;
            return true;
        }

        private void ExpectWord(string word)
        {
            if (!AcceptWord(word))
            {
                throw new FormatException($"expected {word}");
            }
        }
    }

    // Evaluation: values are double, string or null; booleans for conditions (null = unknown, as in SQL).
    private abstract class Node
    {
        public abstract object? Evaluate(DemoPlace place);
    }

    private sealed class Constant(object? value) : Node
    {
        public override object? Evaluate(DemoPlace place) => value;
    }

    private sealed class FieldRef(string name) : Node
    {
        public string Name => name;

        public override object? Evaluate(DemoPlace place) => place.Get(name) switch
        {
            int i => (double)i,
            var other => other,
        };
    }

    private sealed class Case(Node argument, bool upper) : Node
    {
        public override object? Evaluate(DemoPlace place) => argument.Evaluate(place) is string s
            ? (upper ? s.ToUpperInvariant() : s.ToLowerInvariant())
            : null;
    }

    private sealed class Not(Node inner) : Node
    {
        public override object? Evaluate(DemoPlace place) => inner.Evaluate(place) is bool b ? !b : null;
    }

    private sealed class Logical(Node left, Node right, bool isAnd) : Node
    {
        public override object? Evaluate(DemoPlace place)
        {
            var l = left.Evaluate(place) as bool?;
            var r = right.Evaluate(place) as bool?;
            return isAnd
                ? (l == false || r == false ? false : l == true && r == true ? true : null)
                : (l == true || r == true ? true : l == false && r == false ? false : null);
        }
    }

    private sealed class IsNull(Node operand) : Node
    {
        public override object? Evaluate(DemoPlace place) => operand.Evaluate(place) is null;
    }

    private sealed class Comparison(Node left, string op, Node right) : Node
    {
        public override object? Evaluate(DemoPlace place)
        {
            var order = Compare(left.Evaluate(place), right.Evaluate(place));
            if (order is not int c)
            {
                return null;
            }

            return op switch
            {
                "=" => c == 0,
                "<>" or "!=" => c != 0,
                "<" => c < 0,
                "<=" => c <= 0,
                ">" => c > 0,
                _ => c >= 0,
            };
        }

        // Numbers with numbers, strings with strings (ordinal, as a case-sensitive database collation); else unknown.
        private static int? Compare(object? a, object? b) => (a, b) switch
        {
            (double x, double y) => x.CompareTo(y),
            (string x, string y) => string.CompareOrdinal(x, y),
            _ => null,
        };
    }

    private sealed class In(Node operand, List<Node> items) : Node
    {
        public override object? Evaluate(DemoPlace place)
        {
            var value = operand.Evaluate(place);
            foreach (var item in items)
            {
                if (new Comparison(new Constant(value), "=", item).Evaluate(place) is true)
                {
                    return true;
                }
            }

            return value is null ? null : false;
        }
    }

    private sealed class Like(Node operand, Node pattern) : Node
    {
        public override object? Evaluate(DemoPlace place) =>
            operand.Evaluate(place) is string s && pattern.Evaluate(place) is string p ? Matches(s, 0, p, 0) : null;

        // % = any run of characters, _ = one character.
        private static bool Matches(string s, int si, string p, int pi)
        {
            while (pi < p.Length)
            {
                if (p[pi] == '%')
                {
                    for (var k = si; k <= s.Length; k++)
                    {
                        if (Matches(s, k, p, pi + 1))
                        {
                            return true;
                        }
                    }

                    return false;
                }

                if (si >= s.Length || (p[pi] != '_' && p[pi] != s[si]))
                {
                    return false;
                }

                si++;
                pi++;
            }

            return si == s.Length;
        }
    }
}
