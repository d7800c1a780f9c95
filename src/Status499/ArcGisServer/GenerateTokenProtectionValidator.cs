namespace Status499.ArcGisServer;

// The checks of ArcGisTokenOptions.Lockout and .RateLimit. Run by ArcGisTokenOptionsValidator at startup and by
// MapArcGisGenerateToken itself, because an app with its own ITokenIssuer registers no options validator.
internal static class GenerateTokenProtectionValidator
{
    public const int MaxFailedAttemptsLimit = 1000;
    public const int MaxPermitLimit = 100_000;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    public static void Validate(ArcGisTokenOptions options, List<string> errors)
    {
        var lockout = options.Lockout;
        if (lockout.Enabled)
        {
            if (lockout.MaxFailedAttempts is < 1 or > MaxFailedAttemptsLimit)
            {
                errors.Add($"ArcGisTokenOptions.Lockout.MaxFailedAttempts must be between 1 and {MaxFailedAttemptsLimit}; it is {lockout.MaxFailedAttempts}.");
            }

            AddIfOutOfRange(errors, "ArcGisTokenOptions.Lockout.FailureWindow", lockout.FailureWindow);
            AddIfOutOfRange(errors, "ArcGisTokenOptions.Lockout.LockoutDuration", lockout.LockoutDuration);
        }

        var rateLimit = options.RateLimit;
        if (rateLimit.Enabled)
        {
            if (rateLimit.PermitLimit is < 1 or > MaxPermitLimit)
            {
                errors.Add($"ArcGisTokenOptions.RateLimit.PermitLimit must be between 1 and {MaxPermitLimit}; it is {rateLimit.PermitLimit}.");
            }

            AddIfOutOfRange(errors, "ArcGisTokenOptions.RateLimit.Window", rateLimit.Window);
        }
    }

    private static void AddIfOutOfRange(List<string> errors, string name, TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1) || value > MaxDuration)
        {
            errors.Add($"{name} must be between one second and {MaxDuration}; it is {value}.");
        }
    }
}
