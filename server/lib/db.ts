import mongoose from 'mongoose';

// Every API document carries `id` and neither `_id` nor `__v` (ra-data-simple-rest convention).
mongoose.set('strictQuery', true);
mongoose.set('toJSON', {
  virtuals: true,
  versionKey: false,
  transform: (_doc: unknown, ret: Record<string, unknown>) => {
    delete ret._id;
    return ret;
  },
});

export async function connectDatabase(uri: string): Promise<typeof mongoose> {
  await mongoose.connect(uri, { serverSelectionTimeoutMS: 10_000, autoIndex: true });
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
  return mongoose;
}

export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}

export async function pingDatabase(): Promise<boolean> {
  try {
    await mongoose.connection.db?.admin().ping();
    return mongoose.connection.readyState === 1;
  } catch {
    return false;
  }
}

/** The lean-document counterpart of the toJSON transform. */
export function withId<T extends { _id: unknown }>(doc: T): Omit<T, '_id' | '__v'> & { id: string } {
  const { _id, __v, ...rest } = doc as T & { __v?: unknown };
  return { ...rest, id: String(_id) } as Omit<T, '_id' | '__v'> & { id: string };
}
