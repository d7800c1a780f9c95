using Status499.Tokens;

namespace Status499.Configuration;

internal static class TokenRequiredOptionsValidator
{
    public const int MaxAllowedTokenLength = 64 * 1024;

    public static readonly TimeSpan MaxValidationTimeout = TimeSpan.FromMinutes(5);

    public static void Validate(TokenRequiredOptions options, List<string> errors)
    {
        if (options.MaxTokenLength is <= 0 or > MaxAllowedTokenLength)
        {
            errors.Add($"Status499:Token:MaxTokenLength must be between 1 and {MaxAllowedTokenLength}; it is {options.MaxTokenLength}.");
        }

        if (options.ValidationTimeout <= TimeSpan.Zero || options.ValidationTimeout > MaxValidationTimeout)
        {
            errors.Add($"Status499:Token:ValidationTimeout must be more than zero and at most {MaxValidationTimeout}; it is {options.ValidationTimeout}.");
        }

        if (options.MaxFormLength <= 0)
        {
            errors.Add($"Status499:Token:MaxFormLength must be positive; it is {options.MaxFormLength}.");
        }

        if (options.Sources.Count == 0 && options.CookieName is null)
        {
            errors.Add("Status499:Token:Sources is empty: no request could ever carry a token.");
        }

        if (options.Sources.Distinct().Count() != options.Sources.Count)
        {
            errors.Add("Status499:Token:Sources lists a source more than once.");
        }

        if (!Enum.IsDefined(options.Dialect))
        {
            errors.Add($"Status499:Token:Dialect has the undefined value {(int)options.Dialect}.");
        }

        if (!Enum.IsDefined(options.StatusMode))
        {
            errors.Add($"Status499:Token:StatusMode has the undefined value {(int)options.StatusMode}.");
        }

        foreach (var source in options.Sources)
        {
            if (source == TokenSource.None || !Enum.IsDefined(source))
            {
                errors.Add($"Status499:Token:Sources contains {source}, which is not a token source.");
            }
        }

        if (options.Sources.Contains(TokenSource.Cookie) && string.IsNullOrWhiteSpace(options.CookieName))
        {
            errors.Add("Status499:Token:Sources contains Cookie but Status499:Token:CookieName is not set.");
        }
    }
}
