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

// The outcome of reading the token sources of one request. Body is ClientGone or Rejected when the form read ended
// without a form and without the client being at fault for its content: no token outcome, nothing to refuse.
internal readonly record struct TokenRead(string? Token, TokenSource Source, MalformedTokenReason Malformed, FormReadStatus Body = FormReadStatus.Read)
{
    public static TokenRead Missing => default;

    public static TokenRead Bad(MalformedTokenReason reason) => new(null, TokenSource.None, reason);

    public static TokenRead BodyLost(FormReadStatus body) => new(null, TokenSource.None, MalformedTokenReason.None, body);

    // Reading stops here: the request is refused, or its body is gone.
    public bool Stops => Malformed != MalformedTokenReason.None || Body != FormReadStatus.Read;
}
