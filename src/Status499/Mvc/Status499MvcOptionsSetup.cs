using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Status499.ClientClosed;

namespace Status499.Mvc;

// Adds ClientAbortExceptionFilter to MVC's global filters. Registered by AddStatus499(); runs only if the app uses MVC
// (controllers or Razor Pages), when MVC first reads its options. A post-configure, so the filter is added after every
// AddControllers(o => o.Filters.Add(...)): among global filters of the same Order the last added runs first.
internal sealed class Status499MvcOptionsSetup : IPostConfigureOptions<MvcOptions>
{
    private readonly ClientAbort _clientAbort;

    public Status499MvcOptionsSetup(ClientAbort clientAbort) => _clientAbort = clientAbort;

    public void PostConfigure(string? name, MvcOptions options) => options.Filters.Add(new ClientAbortExceptionFilter(_clientAbort));
}
