import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/** A saved contact filter (the contact filter vocabulary of API.md): a mailing audience, an export. */
const segmentSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    description: { type: String, default: '' },
    filter: { type: Schema.Types.Mixed, required: true, default: {} },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
    updatedBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { timestamps: true, minimize: false },
);
segmentSchema.index({ name: 1 });

export type SegmentRecord = InferSchemaType<typeof segmentSchema> & { _id: mongoose.Types.ObjectId };
export const Segment = mongoose.model('Segment', segmentSchema, 'segments');
