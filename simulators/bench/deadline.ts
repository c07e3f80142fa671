/**
 * The promise's value, or undefined once `ms` have passed. The timer is cleared as soon as the promise
 * settles, so a bench that finished early does not stay alive waiting for it.
 */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
