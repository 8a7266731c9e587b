using Microsoft.Extensions.Options;
using Mq.Broker.Server;

namespace Mq.Broker.Hosting;

/// <summary>Fails the host's start with every broken broker option listed.</summary>
public sealed class BrokerOptionsValidator : IValidateOptions<BrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, BrokerOptions options)
    {
        List<string> errors = options.Validate().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
