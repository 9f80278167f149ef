import { describe, expect, it } from 'vitest';
import { attributesOf, parseForm } from './form.ts';

describe('form-encoded Open311 bodies', () => {
  it('parses the specification’s example request', () => {
    const body =
      'api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001';
    const form = parseForm(body);
    expect(form).toMatchObject({
      api_key: 'xyz',
      address_string: '1234 5th street',
      email: 'smit333@sfgov.edu',
      media_url: 'http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg',
      description: 'A large sinkhole is destroying the street',
    });
    expect(attributesOf(form)).toEqual({ WHISPAWN: '123456', WHISDORN: 'COISL001' });
  });

  it('collects repeated fields and multivaluelist answers, in UTF-8', () => {
    const form = parseForm(
      'attribute%5Bgoods%5D%5B%5D=fruit_veg&attribute[goods][]=cooked_food&description=%E5%9E%83%E5%9C%BE&x=1&x=2&__proto__=a',
    );
    expect(attributesOf(form)).toEqual({ goods: ['fruit_veg', 'cooked_food'] });
    expect(form.description).toBe('垃圾');
    expect(form.x).toEqual(['1', '2']);
    expect(Object.getPrototypeOf(form)).toBe(Object.prototype);
  });
});
