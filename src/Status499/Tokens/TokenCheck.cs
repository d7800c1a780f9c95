namespace Status499.Tokens;

// How the token check of one request ended, for the middleware.
internal enum TokenCheck
{
    // The token is valid: the request continues to the endpoint.
    Passed = 0,

    // The check answered the request (a refusal, or Kestrel's status for a refused body), or a server-side
    // cancellation (a UseRequestTimeouts() timeout) ended the validation: the middleware records what happened.
    Answered,

    // The client left while the validator ran: no endpoint ran and nothing was answered, so the request is recorded as
    // 499 in the handler phase, like a client that left during the check's form read.
    ClientLeftDuringValidation,

    // The client left while the check read the form body: no endpoint ran, the request is recorded as 499 in the
    // request_body phase and the connection is aborted.
    RequestBodyLost,
}
