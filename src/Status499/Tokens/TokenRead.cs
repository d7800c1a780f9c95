namespace Status499.Tokens;

internal enum MalformedTokenReason
{
    None = 0,
    ConflictingSources,
    MultipleValues,
    TooLong,
    MalformedHeader,
    UnreadableForm,
}

// The outcome of reading the token sources of one request.
internal readonly record struct TokenRead(string? Token, TokenSource Source, MalformedTokenReason Malformed)
{
    public static TokenRead Missing => default;

    public static TokenRead Bad(MalformedTokenReason reason) => new(null, TokenSource.None, reason);
}
