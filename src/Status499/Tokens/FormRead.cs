using Microsoft.AspNetCore.Http;

namespace Status499.Tokens;

// How a read of an application/x-www-form-urlencoded body ended. The two endings that are not the client's content
// carry the token check's own words (TokenCheckResult), since they end it the same way.
internal enum FormReadStatus
{
    // The form was read.
    Read = 0,

    // The body is not a form the library can decode: the client's fault, answered 400 the ArcGIS way by the caller.
    Unreadable,

    // Kestrel rejected the body (too slow, too large, broken framing) and its status has been answered.
    BodyRejected,

    // The client left while the body was read: nothing to answer; the caller records 499 and aborts.
    ClientLeftReadingBody,
}

// The outcome of reading an application/x-www-form-urlencoded body: the form when Status is Read.
internal readonly record struct FormRead(IFormCollection? Form, FormReadStatus Status);
