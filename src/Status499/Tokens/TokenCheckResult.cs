namespace Status499.Tokens;

// How the token check of one request ended, one value per ending: what the middleware does next depends on nothing else.
internal enum TokenCheckResult
{
    // The token is valid (TokenOutcome.Accepted): the request continues to the endpoint.
    Passed = 0,

    // The check refused the request with an ArcGIS error; TokenOutcome says why (Missing, Invalid, Expired, Forbidden,
    // ValidatorFailed, Malformed). The client may still have left while the error was written.
    Refused,

    // Kestrel rejected the body the check read for a token field (408 too slow, 413 too large, 400 broken framing) and
    // its status was answered. No token outcome: the token was never seen.
    BodyRejected,

    // The client left while the check read the form body: no endpoint ran, nothing was answered; recorded as 499 in the
    // request_body phase and the connection is aborted.
    ClientLeftReadingBody,

    // The client left while the validator ran: no endpoint ran, nothing was answered; recorded as 499 in the handler phase.
    // A server-side cancellation (UseRequestTimeouts(), shutdown) is not an ending: the check rethrows it, like the form read.
    ClientLeftDuringValidation,
}
