using Status499.Analyzers.Tests.Infrastructure;

namespace Status499.Analyzers.Tests;

/// <summary>S499002: a handler that awaits but has no token at all, where S499001 has nothing to point at.</summary>
public class HandlerWithoutTokenTests
{
    [Fact]
    public Task A_lambda_that_awaits_its_own_code_without_any_token_is_reported_at_its_parameters()
        => Verify.AnalyzerAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapGet("/report", async {|#0:(int year)|} =>
                    {
                        await BuildReport(year);
                        return Results.Ok();
                    });
                }

                private static Task BuildReport(int year) => Task.CompletedTask;
            }
            """,
            Verify.HandlerWithoutToken(0).WithArguments("MapGet /report"));

    [Fact]
    public Task A_controller_action_that_awaits_without_any_token_is_reported_at_its_name()
        => Verify.AnalyzerAsync("""
            public class ReportsController : ControllerBase
            {
                public async Task<IActionResult> {|#0:Build|}()
                {
                    await BuildReport();
                    return Ok();
                }

                private static Task BuildReport() => Task.CompletedTask;
            }
            """,
            Verify.HandlerWithoutToken(0).WithArguments("Build"));

    [Fact]
    public Task A_handler_that_can_reach_the_token_or_does_not_await_is_not_reported()
        => Verify.AnalyzerAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapGet("/a", async (HttpContext context) => await BuildReport());
                    app.MapGet("/b", async (CancellationToken ct) => await BuildReport());
                    app.MapGet("/c", () => BuildReport());
                }

                private static Task BuildReport() => Task.CompletedTask;
            }

            public class ReportsController : ControllerBase
            {
                public async Task<IActionResult> Build()
                {
                    var token = HttpContext.RequestAborted;
                    await BuildReport();
                    return Ok();
                }

                private static Task BuildReport() => Task.CompletedTask;
            }
            """);

    [Fact]
    public Task A_handler_with_an_S499001_call_gets_that_and_not_S499002_too()
        => Verify.AnalyzerAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapGet("/a", async () =>
                    {
                        await BuildReport();
                        await {|#0:Task.Delay(10)|};
                    });
                }

                private static Task BuildReport() => Task.CompletedTask;
            }
            """,
            Verify.PassToken(0).WithArguments("Task.Delay", "the request's token (add a CancellationToken parameter to the handler)"));
}
