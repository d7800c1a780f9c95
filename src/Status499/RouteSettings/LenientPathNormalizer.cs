using System.Buffers;
using System.Text;

namespace Status499.RouteSettings;

// The path a lenient server would see. Kestrel hands Request.Path over decoded except for "%2F" ("%252F" also arrives
// as "%2F", "%2565" as "%65"), with a "\" kept inside its segment and a segment's trailing "." kept; a catch-all or a
// reverse proxy (YARP forwards Path.ToUriComponent()) passes such a path on, and the server behind it may decode it
// again, drop Tomcat's ";params", fold "\" to "/" and strip a segment's trailing dots and spaces (IIS, Windows),
// then resolve the "." and ".." segments this produces. RouteSettingResolver matches the route patterns on this form
// as well as on the path itself and takes a guarded value (TokenRequired) from either, so none of those spellings walks
// past a TokenRequired pattern. Ordinary paths contain none of the characters that trigger it and pay only the scan.
internal static class LenientPathNormalizer
{
    // Each round undoes one more layer of percent-encoding ("%25252F"); a few layers is more than any server decodes.
    private const int MaxDecodingRounds = 4;

    // Printable ASCII except "%", ";" and "\": anything else is a percent-encoding, a path parameter, a backslash, or
    // outside printable ASCII (compatibility forms such as the full-width solidus U+FF0F, which NFKC folds to "/").
    private static readonly SearchValues<char> s_unambiguous = SearchValues.Create(
        Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c).Where(c => c is not ('%' or ';' or '\\')).ToArray());

    // True when a lenient server could read the path differently from the framework's matcher. Allocates nothing.
    public static bool IsAmbiguous(ReadOnlySpan<char> path)
    {
        if (path.IsEmpty)
        {
            return false;
        }

        if (path.IndexOfAnyExcept(s_unambiguous) >= 0)
        {
            return true;
        }

        // A segment ending in a dot or a space ("services./Demo"): Windows drops them.
        var last = path[^1];
        return last is '.' or ' '
            || path.Contains("./", StringComparison.Ordinal)
            || path.Contains(" /", StringComparison.Ordinal);
    }

    // The normalised form of an ambiguous path: always starts with "/", no empty, "." or ".." segments.
    public static string Normalize(string path)
    {
        var decoded = path;
        for (var round = 0; round < MaxDecodingRounds && decoded.Contains('%', StringComparison.Ordinal); round++)
        {
            var next = Uri.UnescapeDataString(decoded);
            if (next == decoded)
            {
                break;
            }

            decoded = next;
        }

        decoded = FoldCompatibilityForms(decoded).Replace('\\', '/');

        var segments = new List<string>();
        foreach (var raw in decoded.Split('/'))
        {
            // Tomcat drops a segment's path parameters: "rest;x" is "rest", "..;" is "..".
            var semicolon = raw.IndexOf(';', StringComparison.Ordinal);
            var segment = semicolon >= 0 ? raw[..semicolon] : raw;

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segment = segment.TrimEnd('.', ' ');
            if (segment.Length > 0)
            {
                segments.Add(segment);
            }
        }

        return "/" + string.Join('/', segments);
    }

    private static string FoldCompatibilityForms(string path)
    {
        if (Ascii.IsValid(path))
        {
            return path;
        }

        try
        {
            return path.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // Not valid Unicode (a lone surrogate): no server folds it to anything; match it as it is.
            return path;
        }
    }
}
