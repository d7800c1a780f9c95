using Status499.Analyzers.Tests.Infrastructure;

namespace Status499.Analyzers.Tests;

/// <summary>S499001 and S499002 on MVC controller actions.</summary>
public class ControllerTests
{
    [Fact]
    public Task A_controller_action_that_takes_a_token_and_does_not_pass_it_is_flagged()
        => Verify.AnalyzerAsync("""
            public class ReportsController : ControllerBase
            {
                private readonly HttpClient _client = new();

                [HttpGet("/reports/{id}")]
                public async Task<IActionResult> Get(int id, CancellationToken cancellationToken)
                {
                    var body = await {|#0:_client.GetStringAsync("http://127.0.0.1/reports/" + id)|};
                    return Ok(body);
                }
            }
            """,
            Verify.PassToken(0).WithArguments("HttpClient.GetStringAsync", "'cancellationToken'"));

    [Fact]
    public Task A_controller_action_without_a_token_is_told_to_take_one()
        => Verify.AnalyzerAsync("""
            public class ReportsController : Controller
            {
                public async Task<IActionResult> Index()
                {
                    await {|#0:Task.Delay(1000)|};
                    return View();
                }
            }
            """,
            Verify.PassToken(0).WithArguments("Task.Delay", "the request's token (add a CancellationToken parameter to the handler)"));

    [Fact]
    public Task An_ApiController_that_does_not_derive_from_ControllerBase_is_a_controller_too()
        => Verify.AnalyzerAsync("""
            [ApiController]
            public class PingController
            {
                [HttpGet("/ping")]
                public async Task<string> Ping(CancellationToken ct)
                {
                    await {|#0:Task.Delay(10)|};
                    return "pong";
                }
            }
            """,
            Verify.PassToken(0).WithArguments("Task.Delay", "'ct'"));

    [Fact]
    public Task Methods_that_MVC_does_not_treat_as_actions_are_not_flagged()
        => Verify.AnalyzerAsync("""
            public class ReportsController : ControllerBase
            {
                [NonAction]
                public async Task Helper(CancellationToken ct) => await Task.Delay(1000);

                public static async Task StaticHelper(CancellationToken ct) => await Task.Delay(1000);

                private async Task PrivateHelper(CancellationToken ct) => await Task.Delay(1000);

                public async Task<IActionResult> Get(CancellationToken ct)
                {
                    await PrivateHelper(ct);
                    return Ok();
                }
            }

            public class NotAController
            {
                public async Task Get(CancellationToken ct) => await Task.Delay(1000);
            }
            """);
}
