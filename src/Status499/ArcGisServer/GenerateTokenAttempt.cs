namespace Status499.ArcGisServer;

// What GenerateTokenLockout.BeginAsync decided for one generateToken request, and what CompleteAsync needs to finish it.
internal readonly struct GenerateTokenAttempt
{
    public GenerateTokenAttempt(GenerateTokenAttemptVerdict verdict, string? cacheKey = null, byte stripe = 0)
    {
        Verdict = verdict;
        CacheKey = cacheKey;
        Stripe = stripe;
    }

    public GenerateTokenAttemptVerdict Verdict { get; }

    // Null when lockout is off or the attempt was not counted: CompleteAsync then has nothing to do.
    public string? CacheKey { get; }

    public byte Stripe { get; }
}
