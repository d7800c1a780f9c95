using Microsoft.AspNetCore.Http;

namespace Status499.ClientClosed;

// One definition of "this exception is the client going away", shared by the middleware, the token check and
// generateToken. Compare the state of RequestAborted, not OperationCanceledException.CancellationToken: handlers often
// pass a linked token, so the exception's token is not RequestAborted (dotnet/aspnetcore#44697). Kestrel's
// BadHttpRequestException and ConnectionResetException are IOExceptions.
internal static class ClientAbort
{
    public static bool IsAbortException(Exception ex) => ex is OperationCanceledException or IOException;

    public static bool IsClientGone(Exception ex, HttpContext context)
        => IsAbortException(ex) && context.RequestAborted.IsCancellationRequested;
}
