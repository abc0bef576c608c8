import { expect, it } from "vitest";
import { untilSettled } from "../../src/providers/shared/settling.js";
import { fakeTime } from "../helpers/fake-time.js";

const clockOf = (time: ReturnType<typeof fakeTime>) => ({ now: () => new Date(time.now()), sleep: time.sleep });

it("waits 250 ms, doubling to 4 s, while the name is busy, and tells each wait", async () => {
  const time = fakeTime();
  const told: number[] = [];
  let busyFor = 7;
  const result = await untilSettled(
    async () => (busyFor-- > 0 ? undefined : "done"),
    { clock: clockOf(time), onWait: (ms) => told.push(ms) },
    () => new Error("gave up"),
  );
  expect(result).toBe("done");
  expect(time.slept).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
  expect(told).toEqual(time.slept);
});

it("gives up rather than sleep past the bound", async () => {
  const time = fakeTime();
  const waiting = untilSettled(
    async () => undefined,
    { clock: clockOf(time), onWait: () => {}, boundMs: 10_000 },
    () => new Error("still busy"),
  );
  await expect(waiting).rejects.toThrow("still busy");
  expect(time.slept).toEqual([250, 500, 1000, 2000, 4000]);
  expect(time.now()).toBeLessThanOrEqual(10_000);
});
