namespace Status499.ArcGisErrors;

// The token errors this library answers with, one pre-encoded body set each (ArcGisErrorBodies).
internal enum ArcGisError
{
    TokenRequired,
    InvalidToken,
    Forbidden,
    ConflictingTokens,
    MultipleTokens,
    TokenTooLong,
    MalformedHeader,
    UnreadableForm,
}

internal enum ArcGisErrorFormat
{
    Json,
    PrettyJson,
    Html,
    ProblemJson,
    Text,
}
