using System.CommandLine;
using Mq.CommandLine;
using Mq.Subscriber.Commands;

var common = new CommonOptions("mq-sub");
var root = new RootCommand("Mq subscriber: receive messages and serve requests from an Mq broker.");
SubscribeCommand.Configure(root, common);
root.Subcommands.Add(SubscribeCommand.Create(common));
root.Subcommands.Add(ServeCommand.Create(common));
root.Subcommands.Add(DemoCommand.Create(common));
return await CliProgram.InvokeAsync(root, args);
