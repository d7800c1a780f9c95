using Microsoft.AspNetCore.HttpLogging;
using Microsoft.Extensions.Logging;

namespace Status499.Diagnostics;

// Tells when UseHttpLogging() runs inside UseStatus499(): HttpLogging would log a client-closed request as the 200 the
// handler set while Status499 records 499, and neither says why. The order cannot be seen while the pipeline is built
// (UseHttpLogging() leaves no mark on the application builder), but HttpLogging calls its interceptors as each request
// reaches it: if Status499's request feature is already there, UseStatus499() ran first. Warns once; HttpLogging apps
// only pay an interface call and a feature lookup per request.
internal sealed class HttpLoggingOrderCheck(ILoggerFactory loggerFactory) : IHttpLoggingInterceptor
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Status499.Startup");
    private int _warned;

    public ValueTask OnRequestAsync(HttpLoggingInterceptorContext logContext)
    {
        if (_warned == 0 && logContext.HttpContext.Features.Get<IStatus499Feature>() is not null && Interlocked.Exchange(ref _warned, 1) == 0)
        {
            Status499Log.HttpLoggingAfterStatus499(_logger);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnResponseAsync(HttpLoggingInterceptorContext logContext) => ValueTask.CompletedTask;
}
