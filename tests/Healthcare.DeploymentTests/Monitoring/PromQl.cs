namespace Healthcare.DeploymentTests.Monitoring;

/// <summary>
/// The series selectors of a PromQL expression: metric names with their label matchers. Enough of the
/// grammar to tell a metric name from a function, an aggregation, a keyword or a label list, for checking
/// that rules and dashboards ask only for series that exist; promtool checks the full syntax.
/// </summary>
public static class PromQl
{
    public sealed record Matcher(string Label, string Operator, string Value);

    public sealed record Selector(string Metric, IReadOnlyList<Matcher> Matchers);

    private static readonly HashSet<string> Aggregations =
    [
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile",
    ];

    /// <summary>Words followed by a parenthesised list of label names, not of expressions.</summary>
    private static readonly HashSet<string> LabelListKeywords = ["by", "without", "on", "ignoring", "group_left", "group_right"];

    private static readonly HashSet<string> Keywords = ["and", "or", "unless", "bool", "offset", "inf", "nan"];

    public static IReadOnlyList<Selector> Selectors(string expression)
    {
        var selectors = new List<Selector>();
        var text = expression;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is '"' or '\'' or '`')
            {
                i = SkipString(text, i);
            }
            else if (c == '#')
            {
                i = text.IndexOf('\n', i) is var end and >= 0 ? end : text.Length;
            }
            else if (c == '[')
            {
                // Range or subquery durations ([5m], [$__rate_interval], [1h:5m]).
                i = text.IndexOf(']', i) + 1;
            }
            else if (c == '{')
            {
                // A selector without a name in front: {__name__="..."}.
                var (matchers, next) = ReadMatchers(text, i);
                var name = matchers.FirstOrDefault(m => m.Label == "__name__" && m.Operator == "=")?.Value ?? "";
                selectors.Add(new Selector(name, matchers.Where(m => m.Label != "__name__").ToList()));
                i = next;
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                // Numbers and durations (0.99, 1e-3, 27h).
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '.' ||
                       (text[i] is '+' or '-' && IsMantissaWithExponent(text[start..i]))))
                {
                    i++;
                }
            }
            else if (c == '$')
            {
                // A dashboard variable outside a string ($__rate_interval is handled with the brackets).
                i++;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '{' or '}'))
                {
                    i++;
                }
            }
            else if (IsNameStart(c))
            {
                var start = i;
                while (i < text.Length && IsNameChar(text[i]))
                {
                    i++;
                }

                var word = text[start..i];
                var after = SkipSpace(text, i);
                var next = after < text.Length ? text[after] : '\0';
                if (LabelListKeywords.Contains(word))
                {
                    // "by (a, b)" is a list of labels; a bare "group_left" is a keyword.
                    i = next == '(' ? text.IndexOf(')', after) + 1 : i;
                }
                else if (Keywords.Contains(word) || Aggregations.Contains(word) || next == '(')
                {
                    // An operator, an aggregation or a function call: its arguments are read on.
                }
                else if (next == '{')
                {
                    var (matchers, end) = ReadMatchers(text, after);
                    selectors.Add(new Selector(word, matchers));
                    i = end;
                }
                else
                {
                    selectors.Add(new Selector(word, []));
                }
            }
            else
            {
                i++;
            }
        }

        return selectors;
    }

    /// <summary>The metric names an expression selects.</summary>
    public static IReadOnlySet<string> MetricNames(string expression) =>
        Selectors(expression).Select(s => s.Metric).Where(n => n.Length > 0).ToHashSet();

    private static (List<Matcher> Matchers, int Next) ReadMatchers(string text, int open)
    {
        var matchers = new List<Matcher>();
        var i = open + 1;
        while (true)
        {
            i = SkipSpace(text, i);
            if (text[i] == '}')
            {
                return (matchers, i + 1);
            }

            if (text[i] == ',')
            {
                i++;
                continue;
            }

            var start = i;
            while (IsNameChar(text[i]))
            {
                i++;
            }

            var label = text[start..i];
            i = SkipSpace(text, i);
            var op = text[i..(i + 2)] is "=~" or "!~" or "!=" ? text[i..(i + 2)] : text[i..(i + 1)];
            if (op != "=" && op.Length != 2)
            {
                throw new FormatException($"Cannot read the label matcher at {i} in: {text}");
            }

            i = SkipSpace(text, i + op.Length);
            var end = SkipString(text, i);
            matchers.Add(new Matcher(label, op, Unquote(text[i..end])));
            i = end;
        }
    }

    private static int SkipString(string text, int start)
    {
        var quote = text[start];
        var i = start + 1;
        while (i < text.Length && text[i] != quote)
        {
            i += text[i] == '\\' && quote != '`' ? 2 : 1;
        }

        return i + 1;
    }

    private static string Unquote(string literal)
    {
        var body = literal[1..^1];
        return literal[0] == '`' ? body : body.Replace("\\\\", "\\", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal);
    }

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    private static bool IsMantissaWithExponent(string token) =>
        token.Length > 1 && token[^1] is 'e' or 'E' && token[..^1].All(ch => char.IsAsciiDigit(ch) || ch == '.');

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c is '_' or ':';

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or ':';
}
