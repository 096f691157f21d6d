import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * A link of a sent newsletter issue or campaign, reached through `/l/<code>`. The code names
 * the mailing's source and the link, never a recipient: every reader of a message gets the
 * same URL, so a click can be counted but not attributed.
 */
const trackedLinkSchema = new Schema(
  {
    _id: { type: String, required: true },
    source: { type: new Schema({ kind: { type: String, required: true }, id: { type: String, required: true } }, { _id: false }), required: true },
    url: { type: String, required: true },
    label: { type: String, default: '' },
    /** Order of first appearance in the message. */
    position: { type: Number, required: true },
    /** A newsletter's link to one of its news items, and that item's category. */
    newsItem: { type: Schema.Types.ObjectId, ref: 'News' },
    category: { type: Schema.Types.ObjectId, ref: 'NewsCategory' },
  },
  { versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);
trackedLinkSchema.index({ 'source.kind': 1, 'source.id': 1 });

export type TrackedLinkRecord = InferSchemaType<typeof trackedLinkSchema>;
export const TrackedLink = mongoose.model('TrackedLink', trackedLinkSchema, 'tracked_links');

/**
 * One click: which link, when. Nothing about who (no address, no IP, no cookie). One insert
 * per click rather than a counter: FerretDB loses concurrent `$inc`s.
 */
const clickSchema = new Schema(
  {
    link: { type: String, required: true },
    kind: { type: String, required: true },
    sourceId: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
clickSchema.index({ kind: 1, sourceId: 1 });

export const Click = mongoose.model('Click', clickSchema, 'link_clicks');
