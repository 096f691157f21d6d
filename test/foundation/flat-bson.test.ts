import { expect } from 'chai';
import { BSON, Long } from 'mongodb';
import mongoose from 'mongoose';
import { decodeFlatDocument } from '../../server/lib/flat-bson.js';

describe('decodeFlatDocument (raw BSON of scalar fields)', () => {
  it('decodes every scalar type as the driver does, accents and empty strings included', () => {
    const document = {
      _id: new mongoose.Types.ObjectId(),
      email: 'hélène.dupont@exemple.fr',
      empty: '',
      organisation: 'Centre social « Les Tilleuls » 🌳',
      missing: null,
      count: 42,
      ratio: 0.625,
      large: 2 ** 40,
      long: Long.fromNumber(2 ** 40 + 1),
      yes: true,
      no: false,
      at: new Date('2026-12-04T10:15:00.123Z'),
    };
    const decoded = decodeFlatDocument(Buffer.from(BSON.serialize(document)));
    expect(decoded).to.deep.equal(BSON.deserialize(BSON.serialize(document)));
    expect(decoded._id).to.be.instanceOf(mongoose.Types.ObjectId);
    expect(String(decoded._id)).to.equal(String(document._id));
  });

  it('refuses a nested document or an array, naming the field', () => {
    expect(() => decodeFlatDocument(Buffer.from(BSON.serialize({ a: 'x', themes: ['santé'] })))).to.throw(/field "themes" has BSON type 0x4/);
    expect(() => decodeFlatDocument(Buffer.from(BSON.serialize({ address: { city: 'Bondy' } })))).to.throw(/field "address" has BSON type 0x3/);
  });
});
