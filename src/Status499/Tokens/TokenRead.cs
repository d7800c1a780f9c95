namespace Status499.Tokens;

// How reading the enabled token sources of one request ended. One value per ending: the token check turns Missing and
// each malformed input into a refusal (TokenOutcome.Missing, TokenOutcome.Malformed with its own 400 body), and the
// two body endings into the TokenCheckResult of the same name.
internal enum TokenReadStatus
{
    // No enabled source holds a token.
    Missing = 0,

    // One token, the same in every source that holds one.
    Found,

    // Malformed: the token cannot be read, answered 400. The name is logged as the reason.
    ConflictingSources,
    MultipleValues,
    TooLong,
    MalformedHeader,
    UnreadableForm,

    // The form body ended without a form, through no fault of its content: no token outcome, nothing to refuse.
    BodyRejected,
    ClientLeftReadingBody,
}

// The outcome of reading the token sources: the token and where it was found when Status is Found.
internal readonly record struct TokenRead(string? Token, TokenSource Source, TokenReadStatus Status)
{
    public static TokenRead Missing => default;

    public static TokenRead Found(string token, TokenSource source) => new(token, source, TokenReadStatus.Found);

    // Any other ending: reading stops there.
    public static TokenRead Ended(TokenReadStatus status) => new(null, TokenSource.None, status);
}
