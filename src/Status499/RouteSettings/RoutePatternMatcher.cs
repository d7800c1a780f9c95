using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;

namespace Status499.RouteSettings;

// One compiled route pattern of a per-route setting (RouteSettingResolver.cs). Matching uses the framework's
// TemplateMatcher so that a pattern means here exactly what it means in MapGet. The common shapes ("/a/b" and
// "/a/b/{**rest}") never need captured values, so they are answered by a segment-aware prefix comparison that
// allocates nothing; RoutePatternMatcherTests checks that both paths agree with TemplateMatcher.
internal sealed class RoutePatternMatcher
{
    [ThreadStatic]
    private static RouteValueDictionary? t_values;

    private readonly string _literalPath;
    private readonly bool _hasCatchAll;
    private readonly TemplateMatcher _templateMatcher;
    private readonly bool _isLiteral;

    public RoutePatternMatcher(RoutePattern pattern)
    {
        _templateMatcher = new TemplateMatcher(new RouteTemplate(pattern), new RouteValueDictionary(pattern.Defaults));
        _isLiteral = TryGetLiteralPrefix(pattern, out _literalPath, out _hasCatchAll);
    }

    public bool IsMatch(PathString path)
    {
        // Endpoint routing matches "/a//b" like "/a/b", but TemplateMatcher does not: collapse empty segments first, so
        // "//arcgis/rest/services/x" cannot slip past a TokenRequired pattern to an endpoint or a proxy that accepts it.
        var value = path.Value.AsSpan();
        if (value.Contains("//", StringComparison.Ordinal))
        {
            path = new PathString(CollapseEmptySegments(value));
            value = path.Value.AsSpan();
        }

        if (_isLiteral)
        {
            return IsLiteralMatch(value);
        }

        // TemplateMatcher fills a dictionary with the captured values; reuse one per thread and clear it.
        var values = t_values ??= new RouteValueDictionary();
        try
        {
            return _templateMatcher.TryMatch(path, values);
        }
        finally
        {
            values.Clear();
        }
    }

    private static string CollapseEmptySegments(ReadOnlySpan<char> path)
    {
        var builder = new System.Text.StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c != '/' || builder.Length == 0 || builder[^1] != '/')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private bool IsLiteralMatch(ReadOnlySpan<char> path)
    {
        // A trailing slash does not make a separate segment for the framework's matcher ("/a/" matches "/a").
        if (path.Length > 1 && path[^1] == '/')
        {
            path = path[..^1];
        }

        if (path.IsEmpty)
        {
            path = "/";
        }

        var literal = _literalPath.AsSpan();
        if (!path.StartsWith(literal, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (path.Length == literal.Length)
        {
            return true;
        }

        // Only a catch-all may consume more segments, and only from a segment boundary.
        return _hasCatchAll && (literal.Length == 1 || path[literal.Length] == '/');
    }

    private static bool TryGetLiteralPrefix(RoutePattern pattern, out string literalPath, out bool hasCatchAll)
    {
        literalPath = string.Empty;
        hasCatchAll = false;
        var segments = pattern.PathSegments;
        var literals = new List<string>(segments.Count);

        for (var i = 0; i < segments.Count; i++)
        {
            var parts = segments[i].Parts;
            if (parts.Count != 1)
            {
                return false;
            }

            switch (parts[0])
            {
                case RoutePatternLiteralPart literal:
                    literals.Add(literal.Content);
                    break;
                case RoutePatternParameterPart { IsCatchAll: true, ParameterPolicies.Count: 0, Default: null } when i == segments.Count - 1:
                    hasCatchAll = true;
                    break;
                default:
                    return false;
            }
        }

        literalPath = "/" + string.Join('/', literals);
        return true;
    }
}
