namespace Status499.Tests.Grpc;

// Sets the grpc-timeout request header, which tells the server the call's deadline. grpc-dotnet starts its own timer
// from it, and that timer races the client's (same deadline, started a moment later, plus the client's RST_STREAM
// still on its way). Overriding the header makes either side's deadline the one that fires, every run.
public sealed class GrpcTimeoutHeader(string value) : DelegatingHandler(new SocketsHttpHandler())
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove("grpc-timeout");
        request.Headers.TryAddWithoutValidation("grpc-timeout", value);
        return base.SendAsync(request, cancellationToken);
    }
}
