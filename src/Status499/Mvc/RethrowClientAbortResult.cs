using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Mvc;

namespace Status499.Mvc;

// The result ClientAbortExceptionFilter leaves for a client's abort: MVC runs it after the exception filters (only the
// IAlwaysRunResultFilters around it), and it throws the abort again with its original stack trace, out of MVC to
// UseStatus499().
internal sealed class RethrowClientAbortResult : IActionResult
{
    private readonly ExceptionDispatchInfo _abort;

    public RethrowClientAbortResult(ExceptionDispatchInfo abort) => _abort = abort;

    public Task ExecuteResultAsync(ActionContext context) => Task.FromException(_abort.SourceException);
}
