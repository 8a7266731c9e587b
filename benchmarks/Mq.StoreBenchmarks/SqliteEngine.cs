using Microsoft.Data.Sqlite;

namespace Mq.StoreBenchmarks;

/// <summary>SQLite in WAL mode: synchronous=FULL fsyncs the WAL at each commit; NORMAL does not, and the periodic sync is a FULL checkpoint.</summary>
internal sealed class SqliteEngine : IBatchEngine
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;

    public SqliteEngine(string directory)
    {
        Directory.CreateDirectory(directory);
        _connection = new SqliteConnection($"Data Source={Path.Combine(directory, "stream.db")};Pooling=False");
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
            + "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, record BLOB NOT NULL);");
        _insert = _connection.CreateCommand();
        _insert.CommandText = "INSERT INTO messages (seq, record) VALUES ($seq, $record)";
        _insert.Parameters.Add("$seq", SqliteType.Integer);
        _insert.Parameters.Add("$record", SqliteType.Blob);
        _insert.Prepare();
    }

    public string Name => "sqlite-wal";

    public ValueTask WriteAsync(IReadOnlyList<byte[]> records, ulong firstSequence, bool sync)
    {
        Execute(sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
        using SqliteTransaction transaction = _connection.BeginTransaction();
        _insert.Transaction = transaction;
        for (int i = 0; i < records.Count; i++)
        {
            _insert.Parameters[0].Value = (long)firstSequence + i;
            _insert.Parameters[1].Value = records[i];
            _insert.ExecuteNonQuery();
        }
        transaction.Commit();
        return ValueTask.CompletedTask;
    }

    // An empty commit writes nothing, so the WAL is fsync'd by a checkpoint under FULL.
    public ValueTask SyncAsync()
    {
        Execute("PRAGMA synchronous=FULL; PRAGMA wal_checkpoint(PASSIVE)");
        return ValueTask.CompletedTask;
    }

    public long ReadAll()
    {
        using SqliteCommand select = _connection.CreateCommand();
        select.CommandText = "SELECT seq, record FROM messages ORDER BY seq";
        using SqliteDataReader reader = select.ExecuteReader();
        long count = 0;
        while (reader.Read())
        {
            _ = reader.GetInt64(0);
            _ = reader.GetFieldValue<byte[]>(1);
            count++;
        }
        return count;
    }

    public void Dispose()
    {
        _insert.Dispose();
        _connection.Dispose();
    }

    private void Execute(string sql)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
