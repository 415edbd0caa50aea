/** The account every service of the embedded tier answers for (in ARNs, STS, default names), as LocalStack and moto use. */
export const LOCAL_ACCOUNT = '000000000000';
