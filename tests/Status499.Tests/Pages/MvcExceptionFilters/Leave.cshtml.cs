using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Status499.Tests.Mvc;

// A Razor Page whose handler honours the token (ClientAbortExceptionFilterTests): pages run MVC's exception filters too.
public sealed class LeavePageModel : PageModel
{
    public async Task OnGetAsync([FromServices] FilterProbe probe, CancellationToken cancellationToken)
    {
        probe.Entered.Set();
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
