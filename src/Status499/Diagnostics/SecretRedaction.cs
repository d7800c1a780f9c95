namespace Status499.Diagnostics;

internal static class SecretRedaction
{
    // A validator or issuer may have put a secret (token, password) into its exception: then the exception is not
    // attached to the log entry, which still names its type.
    public static Exception? LoggableException(Exception ex, string secret)
        => ex.ToString().Contains(secret, StringComparison.Ordinal) ? null : ex;
}
