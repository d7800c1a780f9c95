using Microsoft.AspNetCore.Http;

namespace Status499.Tokens;

internal enum FormReadStatus
{
    // The form was read.
    Read = 0,

    // The body is not a form the library can decode: the client's fault, answered 400 the ArcGIS way by the caller.
    Unreadable,

    // The client left while the body was read: nothing to answer; the caller records 499 and aborts.
    ClientGone,

    // Kestrel refused the body (too slow, too large, broken framing) and its status has been answered.
    Rejected,
}

// The outcome of reading an application/x-www-form-urlencoded body.
internal readonly record struct FormRead(IFormCollection? Form, FormReadStatus Status);
