using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Status499.Configuration;

// The pattern a startup error suggests instead of the one written, rebuilt from its parsed parts so the suggestion keeps
// everything else the user wrote. Each returns ": write '...'" (with what it means), or "" when no pattern would do.
internal static class RoutePatternSuggestion
{
    // A glob's '*' becomes a parameter: a whole last segment ('/api/*', '/api/**') everything under the path before it,
    // a whole earlier segment ('/a/*/b') any one segment, a '*' inside a segment ('/files/*.png') any text there.
    public static string ForGlob(RoutePattern pattern)
    {
        var text = new StringBuilder();
        var names = 0;
        var endsWithCatchAll = false;
        for (var i = 0; i < pattern.PathSegments.Count; i++)
        {
            text.Append('/');
            var segment = pattern.PathSegments[i];
            var last = i == pattern.PathSegments.Count - 1;
            if (segment.Parts is [RoutePatternLiteralPart { Content: var content }] && content.Trim('*').Length == 0)
            {
                endsWithCatchAll = last;
                text.Append(last ? "{**rest}" : $"{{segment{Suffix(++names)}}}");
                continue;
            }

            foreach (var part in segment.Parts)
            {
                if (part is RoutePatternLiteralPart literal)
                {
                    AppendGlobLiteral(text, literal.Content, ref names);
                }
                else
                {
                    Append(text, part);
                }
            }
        }

        var suggestion = text.ToString();
        if (!Parses(suggestion))
        {
            return ": write '/api/{**rest}' for everything under /api";
        }

        if (endsWithCatchAll)
        {
            return $": write '{suggestion}' for everything under {Under(suggestion, suggestion.LastIndexOf('/'))}";
        }

        // A '*' inside the path or a segment matches one segment there; everything below the first glob is the other
        // likely meaning ('/api/*.json' for any .json file under /api).
        var firstGlob = FirstGlobSegment(pattern);
        var prefix = string.Concat(pattern.PathSegments.Take(firstGlob).Select(segment => "/" + Text(segment)));
        var catchAll = prefix + "/{**rest}";
        return Parses(catchAll)
            ? $": write '{suggestion}' for one segment there, or '{catchAll}' for everything under {Under(catchAll, prefix.Length)}"
            : $": write '{suggestion}'";
    }

    private static string Under(string pattern, int slash) => slash <= 0 ? "/" : pattern[..slash];

    private static int FirstGlobSegment(RoutePattern pattern)
    {
        for (var i = 0; i < pattern.PathSegments.Count; i++)
        {
            if (pattern.PathSegments[i].Parts.Any(p => p is RoutePatternLiteralPart literal && literal.Content.Contains('*', StringComparison.Ordinal)))
            {
                return i;
            }
        }

        return pattern.PathSegments.Count;
    }

    private static string Text(RoutePatternPathSegment segment)
    {
        var text = new StringBuilder();
        foreach (var part in segment.Parts)
        {
            Append(text, part);
        }

        return text.ToString();
    }

    // The same pattern without its constraints; a default value or an optional marker stays.
    public static string WithoutConstraints(RoutePattern pattern)
    {
        var text = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            text.Append('/');
            foreach (var part in segment.Parts)
            {
                Append(text, part);
            }
        }

        var suggestion = text.Length == 0 ? "/" : text.ToString();
        return Parses(suggestion) ? $": write '{suggestion}'" : "";
    }

    private static void AppendGlobLiteral(StringBuilder text, string content, ref int names)
    {
        for (var i = 0; i < content.Length; i++)
        {
            if (content[i] != '*')
            {
                AppendEscaped(text, content[i]);
                continue;
            }

            while (i + 1 < content.Length && content[i + 1] == '*')
            {
                i++;
            }

            text.Append(CultureInfo.InvariantCulture, $"{{part{Suffix(++names)}}}");
        }
    }

    private static void Append(StringBuilder text, RoutePatternPart part)
    {
        switch (part)
        {
            case RoutePatternLiteralPart literal:
                foreach (var c in literal.Content)
                {
                    AppendEscaped(text, c);
                }

                break;
            case RoutePatternSeparatorPart separator:
                text.Append(separator.Content);
                break;
            case RoutePatternParameterPart parameter:
                text.Append('{');
                if (parameter.IsCatchAll)
                {
                    text.Append(parameter.EncodeSlashes ? "*" : "**");
                }

                text.Append(parameter.Name);
                if (parameter.Default is { } value)
                {
                    text.Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                }
                else if (parameter.IsOptional)
                {
                    text.Append('?');
                }

                text.Append('}');
                break;
        }
    }

    // Braces in a literal are written doubled in a route template.
    private static void AppendEscaped(StringBuilder text, char c) => text.Append(c is '{' or '}' ? new string(c, 2) : c.ToString());

    private static string Suffix(int n) => n == 1 ? "" : n.ToString(CultureInfo.InvariantCulture);

    private static bool Parses(string pattern)
    {
        try
        {
            var parsed = RoutePatternFactory.Parse(pattern);
            return parsed.Parameters.All(p => p.ParameterPolicies.Count == 0);
        }
        catch (RoutePatternException)
        {
            return false;
        }
    }
}
