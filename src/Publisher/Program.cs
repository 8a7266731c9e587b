using System.CommandLine;
using Mq.CommandLine;
using Mq.Publisher.Commands;

var common = new CommonOptions("mq-pub");
var root = new RootCommand("Mq publisher: publish messages and send requests to an Mq broker.");
PublishCommand.Configure(root, common);
root.Subcommands.Add(PublishCommand.Create(common));
root.Subcommands.Add(RequestCommand.Create(common));
root.Subcommands.Add(DemoCommand.Create(common));
return await CliProgram.InvokeAsync(root, args);
