using Status499.Pipeline;

namespace Status499.ClientClosed;

// The response body stream seen by the app on ClientClosedRequest routes: forwards to the real stream after
// giving Status499RequestState its chance to set 499 before the first write starts the response.
// Dispose is inherited and does nothing here: the real stream belongs to the server.
internal sealed class ResponseStartObservingStream : Stream
{
    private readonly Status499RequestState _state;

    public ResponseStartObservingStream(Status499RequestState state) => _state = state;

    private Stream Inner => _state.InnerBody.Stream;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
        _state.OnResponseStarting();
        Inner.Flush();
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        _state.OnResponseStarting();
        return Inner.FlushAsync(cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        _state.OnResponseStarting();
        Inner.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _state.OnResponseStarting();
        Inner.Write(buffer);
    }

    public override void WriteByte(byte value)
    {
        _state.OnResponseStarting();
        Inner.WriteByte(value);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _state.OnResponseStarting();
        return Inner.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _state.OnResponseStarting();
        return Inner.WriteAsync(buffer, cancellationToken);
    }

    public override IAsyncResult BeginWrite(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state)
        => TaskToAsyncResult.Begin(WriteAsync(buffer, offset, count, CancellationToken.None), callback, state);

    public override void EndWrite(IAsyncResult asyncResult) => TaskToAsyncResult.End(asyncResult);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
