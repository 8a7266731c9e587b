namespace Mq.Publisher.Demo;

internal sealed record DemoPublisherSettings(string Topic, double Rate, string StatsService, TimeSpan StatsEvery, long Count);
