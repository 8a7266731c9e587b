namespace Mq.Serialization;

/// <summary>An argument list parsed into one node per argument (a JSON element, an XML element).</summary>
internal abstract class ArgumentList<TNode>(TNode[] nodes) : ArgumentList
{
    public override int Count => nodes.Length;

    protected TNode Node(int index) => nodes[index];
}
