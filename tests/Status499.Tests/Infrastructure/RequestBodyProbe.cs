using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace Status499.Tests.Infrastructure;

// Middleware placed before UseStatus499() that watches how far the server has read each request body. Reading(key)
// is set when the reader has taken every byte the client sent (bytesSent) and asks for more: the read that a
// disconnect now breaks. Only requests with an X-Probe header are watched; its value is their key.
public sealed class RequestBodyProbe
{
    private readonly long _bytesSent;
    private readonly ConcurrentDictionary<string, Signal> _reading = new();

    public RequestBodyProbe(long bytesSent) => _bytesSent = bytesSent;

    public Signal Reading(string key = "") => _reading.GetOrAdd(key, static _ => new Signal());

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Headers.TryGetValue("X-Probe", out var key))
        {
            context.Request.Body = new ProbeStream(context.Request.Body, _bytesSent, Reading(key.ToString()));
        }

        return next(context);
    }

    private sealed class ProbeStream : Stream
    {
        private readonly Stream _inner;
        private readonly long _bytesSent;
        private readonly Signal _reading;
        private long _read;

        public ProbeStream(Stream inner, long bytesSent, Signal reading)
        {
            _inner = inner;
            _bytesSent = bytesSent;
            _reading = reading;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_read >= _bytesSent)
            {
                _reading.Set();
            }

            var n = await _inner.ReadAsync(buffer, cancellationToken);
            _read += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Kestrel forbids synchronous reads.");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
