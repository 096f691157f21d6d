import { lazy, Suspense, type ComponentType, type ReactElement } from 'react';
import { Loading } from 'react-admin';

type ScreenName = 'list' | 'show' | 'edit' | 'create';
type ScreensModule = { default: Partial<Record<ScreenName, ComponentType>> };

const loaders: (() => Promise<unknown>)[] = [];

/** A type error when the module exports a screen the names leave out (it would have no route). */
type EveryScreenOf<M extends ScreensModule, N> = Exclude<keyof M['default'], N> extends never ? unknown : { missing: Exclude<keyof M['default'], N> };

/**
 * A resource's screens, loaded from their own chunk the first time one of them is opened, so that
 * the login page and the dashboard do not wait for every screen of the admin. The names say which
 * screens exist: react-admin needs them before the chunk is loaded (routes, edit and show buttons);
 * the type-checker holds them to what the module exports, both ways.
 */
export function lazyScreens<M extends ScreensModule, N extends ScreenName & keyof M['default']>(
  load: () => Promise<M>,
  names: N[] & EveryScreenOf<M, N>,
): Record<N, ReactElement> {
  let loading: Promise<M> | undefined;
  // A failed load (a chunk replaced by an update, the network) is tried again at the next opening.
  const loadOnce = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  loaders.push(loadOnce);
  const screens = {} as Record<N, ReactElement>;
  for (const name of names) {
    const Screen = lazy(async (): Promise<{ default: ComponentType }> => {
      const screen = (await loadOnce()).default[name];
      if (!screen) throw new Error(`Écran « ${name} » absent de son module`);
      return { default: screen };
    });
    screens[name] = (
      <Suspense fallback={<Loading />}>
        <Screen />
      </Suspense>
    );
  }
  return screens;
}

const whenIdle = (task: () => void) => (window.requestIdleCallback ? window.requestIdleCallback(task, { timeout: 2000 }) : window.setTimeout(task, 50));

/**
 * Loads every resource's screens while the staff member reads the first one, one chunk at a
 * time when the page is idle (never in the way of typing): the next screen opens at once.
 */
export function preloadScreens(): void {
  const queue = [...loaders];
  const next = () => {
    const load = queue.shift();
    if (load) void load().then(() => whenIdle(next), () => whenIdle(next));
  };
  whenIdle(next);
}
