using Status499.Tokens;

namespace Status499.Configuration;

// The keys each level of the Status499 section accepts, compared as .NET configuration compares keys (any case), and
// the closest one to a misspelled key. Kept by hand because the binder's own unknown-key error names the options type,
// not the key path, and suggests nothing; ConfigurationTests.Every_public_option_binds_from_appsettings_json fails when
// a public option is missing here.
internal static class KnownSettings
{
    public static readonly string[] Root =
    [
        nameof(Status499Options.DefaultMeaning),
        nameof(Status499Options.ClientClosedRequestLogLevel),
        nameof(Status499Options.WastedWorkLogThreshold),
        nameof(Status499Options.ContinueAfterClientAbortLimit),
        nameof(Status499Options.RecordTerminationAsErrorType),
        nameof(Status499Options.ContinueAfterClientAbortRoutes),
        nameof(Status499Options.Routes),
        nameof(Status499Options.Token),
    ];

    public static readonly string[] Token =
    [
        nameof(TokenRequiredOptions.Sources),
        nameof(TokenRequiredOptions.CookieName),
        nameof(TokenRequiredOptions.MaxTokenLength),
        nameof(TokenRequiredOptions.MaxFormLength),
        nameof(TokenRequiredOptions.Dialect),
        nameof(TokenRequiredOptions.StatusMode),
        nameof(TokenRequiredOptions.TokenRequiredMessage),
        nameof(TokenRequiredOptions.InvalidTokenMessage),
        nameof(TokenRequiredOptions.ForbiddenMessage),
        nameof(TokenRequiredOptions.ValidationTimeout),
        nameof(TokenRequiredOptions.EnableJsonp),
        nameof(TokenRequiredOptions.PreferProblemDetails),
    ];

    public static readonly string[] Route = ["Pattern", "Meaning"];

    public static readonly string[] ContinueRoute = ["Pattern", "Maximum"];

    public static bool IsOneOf(string key, string[] known)
    {
        foreach (var name in known)
        {
            if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    // " Did you mean 'X'?" for the known key nearest to key (edit distance, any case), or "" when none is near: at most
    // a third of the key's length may differ, so 'Note' suggests nothing while 'Patern' suggests 'Pattern'.
    public static string DidYouMean(string key, string[] known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in known)
        {
            var distance = EditDistance(key.ToUpperInvariant(), name.ToUpperInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (name, distance);
            }
        }

        return best is not null && bestDistance <= Math.Max(1, key.Length / 3) ? $" Did you mean '{best}'?" : "";
    }

    // Levenshtein distance; keys are short, so the two-row table costs nothing worth saving.
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
