using Microsoft.Extensions.DependencyInjection;
using Mq.Client;

namespace Mq.Hosting;

/// <summary>One subscription or service to open when the host starts.</summary>
internal sealed record MqRegistration(string Description, Func<MqClient, IServiceScopeFactory, CancellationToken, ValueTask<IAsyncDisposable>> Open);
