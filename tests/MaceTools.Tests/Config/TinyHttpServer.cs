using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace MaceTools.Tests.Config
{
    /// <summary>
    /// A minimal HTTP/1.1 server on 127.0.0.1 for the download tests: each path serves fixed bytes (or a status), every request
    /// is counted, and a response can be cut short to imitate a broken connection. One connection per request.
    /// </summary>
    internal sealed class TinyHttpServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly Thread _thread;
        private readonly ConcurrentDictionary<string, Route> _routes = new ConcurrentDictionary<string, Route>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, int> _counts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        private volatile bool _stopping;

        private sealed class Route
        {
            public int Status = 200;
            public byte[] Body = Array.Empty<byte>();
            /// <summary>Send only this many body bytes, then close (Content-Length still says the full size).</summary>
            public int? CutAfter;
            /// <summary>A redirect's Location header.</summary>
            public string? Location;
            /// <summary>Send zeros without a Content-Length until the client goes away.</summary>
            public bool Endless;
            /// <summary>The Content-Length to declare instead of the body's length (a server that lies).</summary>
            public long? DeclaredLength;
            /// <summary>How many bytes an endless body has sent.</summary>
            public long Sent;
        }

        public TinyHttpServer()
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _thread = new Thread(Serve) { IsBackground = true, Name = "TinyHttpServer" };
            _thread.Start();
        }

        public int Port { get; }
        public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

        public void Serve(string path, byte[] body) => _routes[path] = new Route { Body = body };
        public void Fail(string path, int status) => _routes[path] = new Route { Status = status, Body = Encoding.ASCII.GetBytes("no") };
        public void Cut(string path, byte[] body, int after) => _routes[path] = new Route { Body = body, CutAfter = after };
        public void Redirect(string path, string location, int status = 302) => _routes[path] = new Route { Status = status, Location = location };
        public void Endless(string path) => _routes[path] = new Route { Endless = true };
        public void Lie(string path, byte[] body, long declaredLength) => _routes[path] = new Route { Body = body, DeclaredLength = declaredLength };
        /// <summary>How many bytes the endless body of a path has sent so far.</summary>
        public long Sent(string path) => _routes.TryGetValue(path, out var r) ? Interlocked.Read(ref r.Sent) : 0;

        /// <summary>How many requests reached this path.</summary>
        public int Requests(string path) => _counts.TryGetValue(path, out int n) ? n : 0;

        private void Serve()
        {
            while (!_stopping)
            {
                TcpClient client;
                try { client = _listener.AcceptTcpClient(); }
                catch (SocketException) { return; }
                catch (ObjectDisposedException) { return; }
                ThreadPool.QueueUserWorkItem(_ => Handle(client));
            }
        }

        private void Handle(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    string path = ReadRequestPath(stream);
                    _counts.AddOrUpdate(path, 1, (_, n) => n + 1);
                    var route = _routes.TryGetValue(path, out var r) ? r : new Route { Status = 404, Body = Encoding.ASCII.GetBytes("not found") };
                    string reason = route.Status == 200 ? "OK" : route.Status == 404 ? "Not Found" : route.Location != null ? "Found" : "Error";
                    var head = $"HTTP/1.1 {route.Status} {reason}\r\n" + (route.Endless ? "" : $"Content-Length: {route.DeclaredLength ?? route.Body.Length}\r\n")
                        + (route.Location != null ? $"Location: {route.Location}\r\n" : "") + "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
                    var headBytes = Encoding.ASCII.GetBytes(head);
                    stream.Write(headBytes, 0, headBytes.Length);
                    if (route.Endless)
                    {
                        var zeros = new byte[1 << 16];
                        while (!_stopping)
                        {
                            stream.Write(zeros, 0, zeros.Length);
                            Interlocked.Add(ref route.Sent, zeros.Length);
                        }
                        return;
                    }
                    int n = Math.Min(route.CutAfter ?? route.Body.Length, route.Body.Length);
                    stream.Write(route.Body, 0, n);
                    stream.Flush();
                }
                catch (IOException) { }
                catch (SocketException) { }
            }
        }

        private static string ReadRequestPath(Stream stream)
        {
            var bytes = new List<byte>();
            int b;
            while ((b = stream.ReadByte()) >= 0)
            {
                bytes.Add((byte)b);
                int n = bytes.Count;
                if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') break;
            }
            string requestLine = Encoding.ASCII.GetString(bytes.ToArray()).Split('\n')[0].Trim();
            var parts = requestLine.Split(' ');
            return parts.Length >= 2 ? parts[1] : "/";
        }

        public void Dispose()
        {
            _stopping = true;
            _listener.Stop();
            _thread.Join(TimeSpan.FromSeconds(5));
        }

        /// <summary>A loopback URL on which nothing listens: connections are refused.</summary>
        public static string RefusedUrl(string path)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return $"http://127.0.0.1:{port}{path}";
        }
    }
}
