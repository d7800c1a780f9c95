namespace Status499.ArcGisErrors;

// What the error bodies and status lines depend on, resolved once at startup. The token options
// (Tokens/TokenRequiredOptions.cs) are the public face of these settings; TokenRequestHandler.CreateErrorWriter copies
// them here, so that answering the ArcGIS way does not depend on how tokens are read.
internal sealed record ArcGisErrorSettings(
    ArcGisDialect Dialect,
    TokenErrorStatusMode StatusMode,
    string? TokenRequiredMessage,
    string? InvalidTokenMessage,
    string? ForbiddenMessage,
    int MaxTokenLength,
    bool EnableJsonp,
    bool PreferProblemDetails);
