namespace Status499.Tokens;

// The names of token outcomes on the status499.reason metric tag and the status499.token_outcome span tag
// (docs/signals.md): stable, lowercase, the ArcGIS wording where there is one.
internal static class TokenOutcomeNames
{
    public static string Of(TokenOutcome outcome) => outcome switch
    {
        TokenOutcome.Missing => "token_required",
        TokenOutcome.Invalid => "invalid_token",
        TokenOutcome.Expired => "expired_token",
        TokenOutcome.Forbidden => "forbidden",
        TokenOutcome.ValidatorFailed => "validator_failed",
        TokenOutcome.Malformed => "malformed_request",
        TokenOutcome.Accepted => "accepted",
        _ => "not_checked",
    };
}
