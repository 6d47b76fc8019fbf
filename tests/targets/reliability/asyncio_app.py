"""An asyncio service: a TCP echo server, producer and consumer tasks over a queue, and a task
printing the status; the loop waits in epoll between them."""
import asyncio
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import targetlib  # noqa: E402

counters = {"produced": 0, "consumed": 0}


async def echo(reader, writer):
    writer.write(await reader.readline())
    await writer.drain()
    writer.close()


async def produce(queue):
    while True:
        await queue.put([targetlib.Node(counters["produced"])])
        counters["produced"] += 1
        await asyncio.sleep(0.001)


async def consume(queue):
    while True:
        item = await queue.get()
        item.append(item)  # a cycle for the collector
        counters["consumed"] += 1


async def report():
    n = 0
    while True:
        await asyncio.sleep(0.2)
        n += 1
        targetlib.status(n=n, tasks=len(asyncio.all_tasks()), **counters)


async def main():
    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    sys.stdout.write("PORT %d\n" % server.sockets[0].getsockname()[1])
    queue = asyncio.Queue(maxsize=100)
    tasks = [asyncio.create_task(c) for c in (produce(queue), consume(queue), report())]
    targetlib.ready()
    await asyncio.gather(*tasks)


asyncio.run(main())
