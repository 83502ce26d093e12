import type { ViewerReport } from '../src/view/makeViewerReport.js';

/** The report and where each volume can be fetched from (a server route or an in-page blob). */
export interface PageData {
  report: ViewerReport;
  urls: { image: string; segmentation: string | null; contacts: string | null };
}

/**
 * Find the page's data. A served page (`<body data-source="served">`) fetches `data/report.json` and loads the
 * volumes from `data/*.nii.gz`; a static page carries the report and the base64 volumes in `<script>` elements,
 * turned into blob URLs here (decoded by the browser off the main thread, through `fetch` of a data URL).
 */
export async function loadPageData(): Promise<PageData> {
  if (document.body.dataset.source !== 'static') {
    const response = await fetch('data/report.json');
    if (!response.ok) throw new Error(`data/report.json: HTTP ${response.status}`);
    const report = (await response.json()) as ViewerReport;
    return {
      report,
      urls: {
        image: 'data/image.nii.gz',
        segmentation: report.segmentation ? 'data/seg.nii.gz' : null,
        contacts: report.check ? 'data/contacts.nii.gz' : null,
      },
    };
  }
  const report = JSON.parse(document.getElementById('nonadj-report')?.textContent ?? 'null') as ViewerReport | null;
  if (!report) throw new Error('this page carries no report (element #nonadj-report is missing)');
  const blobUrl = async (name: string): Promise<string | null> => {
    const element = document.getElementById(`nonadj-volume-${name}`);
    if (!element) return null;
    const blob = await (await fetch(`data:application/gzip;base64,${element.textContent?.trim() ?? ''}`)).blob();
    return URL.createObjectURL(blob);
  };
  const [image, segmentation, contacts] = await Promise.all([blobUrl('image'), blobUrl('segmentation'), blobUrl('contacts')]);
  if (!image) throw new Error('this page carries no image (element #nonadj-volume-image is missing)');
  return { report, urls: { image, segmentation, contacts } };
}
