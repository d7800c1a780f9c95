using Status499.Tokens;

namespace Status499.ArcGisServer;

// Asks each validator in turn and stops at the first Valid. Otherwise it fails closed with the most informative
// verdict (Forbidden over Expired over Invalid), so that an expired signed token is still logged as expired when the
// fallback does not know it. An exception propagates, and the middleware fails closed.
internal sealed class FirstValidTokenValidator(ITokenValidator[] validators) : ITokenValidator
{
    public ValueTask<TokenValidatorResult> ValidateAsync(TokenValidatorContext context)
    {
        var best = TokenValidatorResult.Invalid();
        for (var i = 0; i < validators.Length; i++)
        {
            var pending = validators[i].ValidateAsync(context);
            if (!pending.IsCompletedSuccessfully)
            {
                return AwaitAsync(pending, context, i, best);
            }

            var result = pending.Result;
            if (result.Status == TokenValidatorStatus.Valid)
            {
                return new(result);
            }

            best = MoreInformative(best, result);
        }

        return new(best);
    }

    private async ValueTask<TokenValidatorResult> AwaitAsync(ValueTask<TokenValidatorResult> pending, TokenValidatorContext context, int index, TokenValidatorResult best)
    {
        while (true)
        {
            var result = await pending;
            if (result.Status == TokenValidatorStatus.Valid)
            {
                return result;
            }

            best = MoreInformative(best, result);
            if (++index == validators.Length)
            {
                return best;
            }

            pending = validators[index].ValidateAsync(context);
        }
    }

    private static TokenValidatorResult MoreInformative(TokenValidatorResult current, TokenValidatorResult candidate)
        => Rank(candidate.Status) > Rank(current.Status) ? candidate : current;

    private static int Rank(TokenValidatorStatus status) => status switch
    {
        TokenValidatorStatus.Forbidden => 2,
        TokenValidatorStatus.Expired => 1,
        _ => 0,
    };
}
