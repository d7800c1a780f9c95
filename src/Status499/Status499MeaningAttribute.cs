using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Status499;

/// <summary>
/// Chooses the <see cref="Status499Meaning"/> of an MVC controller or action (or any endpoint that reads attributes).
/// An attribute on an action overrides one on its controller.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public class Status499MeaningAttribute : Attribute, IStatus499MeaningMetadata, IResourceFilter
{
    /// <summary>Creates the attribute for <paramref name="meaning"/>.</summary>
    /// <param name="meaning">The meaning for the annotated controller or action.</param>
    public Status499MeaningAttribute(Status499Meaning meaning)
    {
        if (!Enum.IsDefined(meaning))
        {
            throw new ArgumentOutOfRangeException(nameof(meaning), meaning, "Unknown Status499Meaning.");
        }

        Meaning = meaning;
    }

    /// <inheritdoc />
    public Status499Meaning Meaning { get; }

    /// <summary>
    /// Refuses to run a token-protected action when Status499 did not accept a token for the request, which happens only
    /// when <c>UseStatus499()</c> runs before <c>UseRouting()</c>.
    /// </summary>
    /// <param name="context">The resource context.</param>
    void IResourceFilter.OnResourceExecuting(ResourceExecutingContext context)
    {
        var httpContext = context.HttpContext;
        if (httpContext.GetEndpoint()?.Metadata.GetMetadata<IStatus499MeaningMetadata>()?.Meaning == Status499Meaning.TokenRequired
            && !TokenEnforcement.HasAcceptedToken(httpContext))
        {
            throw new InvalidOperationException(TokenEnforcement.MisorderedPipelineMessage);
        }
    }

    /// <summary>Does nothing.</summary>
    /// <param name="context">The resource context.</param>
    void IResourceFilter.OnResourceExecuted(ResourceExecutedContext context)
    {
    }
}
